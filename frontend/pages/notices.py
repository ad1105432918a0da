"""Planned-intervention notices (staff): issue one to a council's allies or to chosen allies, and
see who confirmed receipt.

The police may inform allies beforehand of a planned intervention, so that they can calm their
community (METHOD.md, step 4). The form calls ``do_publish_notice`` exactly as the API does; the
receipts come from ``notice_receipts`` (late joiners of the council included) and every ally
named on a page is logged: the list shows counts only, the issue form's picker names every ally,
a notice's page names its recipients.
"""

from __future__ import annotations

from django import forms
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agora.audit.actions import log_person_reads
from agora.ids import parse_id
from frontend.pages.base import run_form_action, staff_page
from tenants.councils.access import councils_visible_to
from tenants.networkmap.models import KeyFigure
from tenants.signals.access import access_notice_by_id, notices_visible_to
from tenants.signals.actions import do_publish_notice
from tenants.signals.models import NoticeVisibility
from tenants.signals.receipts import notice_receipts

PURPOSE = "notices page"


class NoticeForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("What is planned (title)"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("What the allies need to know"), widget=forms.Textarea(attrs={"rows": 4})
    )
    planned_start = forms.DateTimeField(
        label=gettext_lazy("Planned start"),
        widget=forms.DateTimeInput(format="%Y-%m-%dT%H:%M", attrs={"type": "datetime-local"}),
    )
    visibility = forms.ChoiceField(
        label=gettext_lazy("May the allies pass it on?"),
        choices=NoticeVisibility.choices,
        initial=NoticeVisibility.CONFIDENTIAL,
    )
    council = forms.ModelChoiceField(
        label=gettext_lazy("To the allies of a council"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("no council"),
    )
    recipients = forms.ModelMultipleChoiceField(
        label=gettext_lazy("And/or to these allies"),
        queryset=KeyFigure.objects.filter(is_ally=True).order_by("last_name", "first_name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["council"].queryset = councils_visible_to(user).order_by("name")
        self.fields["recipients"].label_from_instance = lambda kf: kf.full_name


@staff_page
def notice_list(request: HttpRequest) -> HttpResponse:
    """Every notice with how many were informed and how many confirmed (counts: no one named)."""
    notices = list(
        notices_visible_to(request.user)
        .select_related("council", "issued_by")
        .annotate(
            recipient_count=Count("recipients"),
            confirmed_count=Count("recipients", filter=Q(recipients__read_at__isnull=False)),
        )
        .order_by("-published_at", "-pk")[:100]
    )
    return render(request, "pages/notices.html", {"nav": "notices", "notices": notices})


@staff_page
def notice_create(request: HttpRequest) -> HttpResponse:
    initial = {"council": parse_id(request.GET.get("overleg") or "")}
    form = NoticeForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        notice = run_form_action(
            request,
            form,
            lambda: do_publish_notice(
                title=data["title"],
                description=data["description"],
                planned_start=data["planned_start"],
                visibility=data["visibility"],
                council_id=data["council"].pk if data["council"] else None,
                recipient_ids=[kf.pk for kf in data["recipients"]],
                acting_user=request.user,
            ),
            done=_("The notice has been sent to the allies."),
        )
        if notice is not None:
            return redirect("pages:notice", notice_id=notice.pk)
    # The picker names every ally of the municipality: that is a read of each of them.
    log_person_reads(
        actor=request.user, objs=list(form.fields["recipients"].queryset), purpose=f"{PURPOSE}: recipients"
    )
    return render(request, "pages/notice_form.html", {"nav": "notices", "form": form})


@staff_page
def notice_detail(request: HttpRequest, notice_id: str) -> HttpResponse:
    """Who the notice reached and who confirmed reading it, unconfirmed first (whom to call)."""
    notice = access_notice_by_id(request.user, notice_id)
    receipts = sorted(
        notice_receipts(notice),
        key=lambda r: (r.read_at is not None, r.key_figure.last_name, r.key_figure.first_name),
    )
    log_person_reads(
        actor=request.user, objs=[r.key_figure for r in receipts], purpose=f"{PURPOSE} {notice.pk}"
    )
    return render(
        request,
        "pages/notice.html",
        {
            "nav": "notices",
            "notice": notice,
            "receipts": receipts,
            "confirmed": sum(1 for r in receipts if r.read_at is not None),
        },
    )
