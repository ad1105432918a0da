"""Signals with their answers (staff), and the ally's own signals (portal, made for a phone)."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agora.accounts.actors import active_members
from agora.accounts.roles import STAFF_ROLES
from agora.audit.actions import log_person_read, log_person_reads
from frontend.pages.base import ally_page, run_action, run_form_action, staff_page
from tenants.networkmap.models import KeyFigure, Neighbourhood
from tenants.signals.access import access_signal_by_id, signals_visible_to
from tenants.signals.actions import do_answer_signal, do_assign_signal_owner, do_raise_signal
from tenants.signals.deadlines import overdue_cutoff
from tenants.signals.models import SignalCategory

PURPOSE = "signals page"


class RaiseSignalForm(forms.Form):
    category = forms.ChoiceField(label=gettext_lazy("What is it about?"), choices=SignalCategory.choices)
    neighbourhood = forms.ModelChoiceField(
        label=gettext_lazy("Neighbourhood"), queryset=Neighbourhood.objects.order_by("name")
    )
    description = forms.CharField(
        label=gettext_lazy("What is going on?"), widget=forms.Textarea(attrs={"rows": 4})
    )


class RaiseOnBehalfForm(RaiseSignalForm):
    """An official or police officer records a signal an ally phoned in; the ally sees the answers."""

    ally = forms.ModelChoiceField(
        label=gettext_lazy("On behalf of which ally"),
        queryset=KeyFigure.objects.filter(is_ally=True).order_by("last_name", "first_name"),
    )
    field_order = ["ally", "category", "neighbourhood", "description"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ally"].label_from_instance = lambda kf: kf.full_name


class AssignForm(forms.Form):
    owner = forms.ModelChoiceField(label=gettext_lazy("Owner"), queryset=None, empty_label=None)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = active_members(STAFF_ROLES)
        self.fields["owner"].label_from_instance = lambda m: f"{m.user.display_name} ({m.label})"


class AnswerForm(forms.Form):
    body = forms.CharField(label=gettext_lazy("Answer to the ally"), widget=forms.Textarea(attrs={"rows": 3}))


def _thread(request: HttpRequest, signal_id: str):
    signal = access_signal_by_id(request.user, signal_id)
    log_person_read(actor=request.user, obj=signal.ally, purpose=PURPOSE)
    answers = list(signal.answers.select_related("author").order_by("created_at", "pk"))
    return signal, answers


@staff_page
def signal_list(request: HttpRequest) -> HttpResponse:
    signals = list(
        signals_visible_to(request.user)
        .with_overdue_flag(cutoff=overdue_cutoff())
        .select_related("neighbourhood", "ally")[:200]
    )
    log_person_reads(actor=request.user, objs=[s.ally for s in signals], purpose=PURPOSE)
    return render(request, "pages/signals.html", {"nav": "signals", "signals": signals})


@staff_page
def signal_create(request: HttpRequest) -> HttpResponse:
    """Raise a signal on an ally's behalf, through the same action as the ally's own form."""
    form = RaiseOnBehalfForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        signal = run_form_action(
            request,
            form,
            lambda: do_raise_signal(
                category=data["category"],
                neighbourhood_id=data["neighbourhood"].pk,
                description=data["description"],
                ally_id=data["ally"].pk,
                acting_user=request.user,
            ),
            done=_("The signal is recorded on the ally's behalf; they will see the answers."),
        )
        if signal is not None:
            return redirect("pages:signal", signal_id=signal.pk)
    # The picker names every ally: a read of each of them.
    log_person_reads(
        actor=request.user, objs=list(form.fields["ally"].queryset), purpose=f"{PURPOSE}: raise on behalf"
    )
    return render(request, "pages/signal_form.html", {"nav": "signals", "form": form})


@staff_page
def signal_detail(request: HttpRequest, signal_id: str) -> HttpResponse:
    signal, answers = _thread(request, signal_id)
    posted = request.POST if request.method == "POST" else None
    form = AnswerForm(posted if posted and "body" in posted else None)
    assign = AssignForm(
        posted if posted and "owner" in posted else None,
        initial={"owner": signal.owner_id or getattr(request.actor.membership, "pk", None)},
    )
    if assign.is_bound and assign.is_valid():
        done = run_action(
            request,
            lambda: do_assign_signal_owner(
                signal, owner_membership_id=assign.cleaned_data["owner"].pk, acting_user=request.user
            ),
            done=_("The signal has an owner."),
        )
        if done is not None:
            return redirect("pages:signal", signal_id=signal.pk)
    if form.is_bound and form.is_valid():
        done = run_action(
            request,
            lambda: do_answer_signal(signal, body=form.cleaned_data["body"], acting_user=request.user),
            done=_("Your answer has been sent to the ally."),
        )
        if done is not None:
            return redirect("pages:signal", signal_id=signal.pk)
    return render(
        request,
        "pages/signal.html",
        {"nav": "signals", "signal": signal, "answers": answers, "form": form, "assign": assign},
    )


@ally_page
def portal_signals(request: HttpRequest) -> HttpResponse:
    form = RaiseSignalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        signal = run_action(
            request,
            lambda: do_raise_signal(
                category=form.cleaned_data["category"],
                neighbourhood_id=form.cleaned_data["neighbourhood"].pk,
                description=form.cleaned_data["description"],
                acting_user=request.user,
            ),
            done=_("Thank you. Your signal has been sent; you will see the answer here."),
        )
        if signal is not None:
            return redirect("pages:portal-signal", signal_id=signal.pk)
    signals = list(signals_visible_to(request.user).select_related("neighbourhood"))
    return render(
        request, "pages/portal_signals.html", {"nav": "portal-signals", "signals": signals, "form": form}
    )


@ally_page
def portal_signal(request: HttpRequest, signal_id: str) -> HttpResponse:
    signal, answers = _thread(request, signal_id)
    return render(
        request, "pages/portal_signal.html", {"nav": "portal-signals", "signal": signal, "answers": answers}
    )
