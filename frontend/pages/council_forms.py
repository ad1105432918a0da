"""The council page's writes: leads (with the mayor/alderman acknowledgement), seats, meetings with
their meal and attendance, the agenda and its overrides. Each form calls one action; the action's
warnings and refusals are shown as messages, its acknowledgement request as a checkbox."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agora.accounts.actors import active_members
from agora.accounts.roles import Role
from agora.errors import DomainError
from frontend.pages.base import run_action
from tenants.councils.access import access_agenda_item_by_id, access_meeting_by_id
from tenants.councils.actions import (
    do_add_council_members,
    do_approve_agenda_override,
    do_hold_meeting,
    do_plan_meeting,
    do_propose_agenda_item,
    do_record_attendance,
    do_set_council_leads,
)
from tenants.councils.models import AgendaItemKind, Council
from tenants.networkmap.models import KeyFigure


def _member_field(label, roles, *, required: bool = True) -> forms.ModelChoiceField:
    field = forms.ModelChoiceField(label=label, queryset=active_members(roles), required=required)
    field.label_from_instance = lambda m: f"{m.user.display_name}{f' ({m.title})' if m.title else ''}"
    return field


class LeadsForm(forms.Form):
    def __init__(self, *args, council: Council, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipal_lead"] = _member_field(gettext_lazy("Municipal lead"), [Role.OFFICIAL])
        self.fields["municipal_deputy"] = _member_field(
            gettext_lazy("Municipal deputy"), [Role.OFFICIAL], required=False
        )
        self.fields["police_lead"] = _member_field(gettext_lazy("Police lead"), [Role.POLICE])
        self.fields["police_deputy"] = _member_field(
            gettext_lazy("Police deputy"), [Role.POLICE], required=False
        )
        self.fields["acknowledge"] = forms.CharField(required=False, widget=forms.HiddenInput)
        for name in ("municipal_lead", "municipal_deputy", "police_lead", "police_deputy"):
            self.initial.setdefault(name, getattr(council, f"{name}_id"))


class SeatsForm(forms.Form):
    def __init__(self, *args, council: Council, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        seated = council.members.filter(left_on__isnull=True).values("key_figure_id")
        field = forms.ModelMultipleChoiceField(
            label=gettext_lazy("Allies to seat"),
            queryset=KeyFigure.objects.filter(is_ally=True).exclude(pk__in=seated).order_by("last_name"),
        )
        field.label_from_instance = lambda kf: kf.full_name
        self.fields["allies"] = field


class MeetingForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=gettext_lazy("Starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    place = forms.CharField(label=gettext_lazy("Place"), max_length=200)
    meal = forms.CharField(
        label=gettext_lazy("Meal (what is eaten, who cooks)"), max_length=200, required=False
    )


class AgendaForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Topic"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("Explanation"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=AgendaItemKind.choices)
    is_international = forms.BooleanField(label=gettext_lazy("International topic"), required=False)
    request_override = forms.BooleanField(
        label=gettext_lazy("Ask both leads to allow it anyway (relationship phase, international topic)"),
        required=False,
    )
    override_reason = forms.CharField(label=gettext_lazy("Reason for the exception"), required=False)


def _warn(request: HttpRequest, warnings: list[dict[str, Any]]) -> None:
    for warning in warnings:
        messages.warning(request, warning["detail"])


def handle(request: HttpRequest, council: Council, actor) -> dict[str, Any]:
    """Run the posted form's action (staff); return the forms to render and a pending acknowledgement."""
    posted = request.POST if request.method == "POST" else None
    do = posted.get("do", "") if posted else ""
    user = request.user
    leads = LeadsForm(posted if do == "leads" else None, council=council, prefix="leads")
    seats = SeatsForm(posted if do == "seats" else None, council=council, prefix="seats")
    meeting = MeetingForm(posted if do == "meeting" else None, prefix="meeting")
    agenda = AgendaForm(posted if do == "agenda" else None, prefix="agenda")
    context: dict[str, Any] = {"pending_acknowledgement": None, "done": False}
    if do == "leads" and leads.is_valid():
        data = leads.cleaned_data
        try:
            result = do_set_council_leads(
                council,
                municipal_lead_id=data["municipal_lead"].pk,
                police_lead_id=data["police_lead"].pk,
                municipal_deputy_id=data["municipal_deputy"].pk if data["municipal_deputy"] else None,
                police_deputy_id=data["police_deputy"].pk if data["police_deputy"] else None,
                acknowledge=[code for code in data["acknowledge"].split(",") if code],
                acting_user=user,
            )
        except DomainError as error:
            if error.code == "acknowledgement_required":
                context["pending_acknowledgement"] = {
                    "codes": ",".join(error.fields.get("acknowledge", [])),
                    "warnings": error.fields.get("warnings", []),
                }
            else:
                messages.error(request, error.message())
        else:
            _warn(request, result.warnings)
            messages.success(request, _("The leads are set."))
            context["done"] = True
    elif do == "seats" and seats.is_valid():
        result = run_action(
            request,
            lambda: do_add_council_members(
                council, [kf.pk for kf in seats.cleaned_data["allies"]], acting_user=user
            ),
            done=_("Seated."),
        )
        if result is not None:
            _warn(request, result.warnings)
            context["done"] = True
    elif do == "meeting" and meeting.is_valid():
        data = meeting.cleaned_data
        context["done"] = bool(
            run_action(
                request,
                lambda: do_plan_meeting(
                    council,
                    starts_at=data["starts_at"],
                    place=data["place"],
                    meal=data["meal"],
                    acting_user=user,
                ),
                done=_("The meeting is planned."),
            )
        )
    elif do == "attendance":
        target = access_meeting_by_id(user, posted.get("meeting", ""))
        present = set(posted.getlist("present"))
        members = {
            seat.pk: f"seat:{seat.pk}" in present for seat in council.members.filter(left_on__isnull=True)
        }
        leads_present = {pk: f"lead:{pk}" in present for pk in council.lead_membership_ids()}
        done = run_action(
            request,
            lambda: do_record_attendance(target, members=members, leads=leads_present, acting_user=user),
            done=_("Attendance recorded."),
        )
        if done is not None and posted.get("held"):
            done = run_action(
                request, lambda: do_hold_meeting(target, acting_user=user), done=_("Marked as held.")
            )
        context["done"] = done is not None
    elif do == "agenda" and agenda.is_valid():
        data = agenda.cleaned_data
        context["done"] = bool(
            run_action(
                request,
                lambda: do_propose_agenda_item(council, acting_user=user, **data),
                done=_("Your topic is on the list."),
            )
        )
    elif do == "approve_override":
        item = access_agenda_item_by_id(user, posted.get("item", ""))
        context["done"] = bool(
            run_action(
                request, lambda: do_approve_agenda_override(item, acting_user=user), done=_("Approved.")
            )
        )
    context.update(leads_form=leads, seats_form=seats, meeting_form=meeting, agenda_form=agenda)
    return context
