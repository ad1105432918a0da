"""The ally's own portal, made for a phone: council agenda, contacts to call, meetings, notices."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from frontend.pages.base import ally_page, run_action
from tenants.councils.access import (
    access_council_by_id,
    agenda_items_visible_to,
    councils_visible_to,
    meetings_visible_to,
)
from tenants.councils.actions import do_propose_agenda_item
from tenants.councils.exports import contact_sheet
from tenants.councils.workflow import MeetingStatus
from tenants.signals.access import access_notice_by_id, notices_visible_to
from tenants.signals.actions import do_confirm_notice_read


class TopicForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Topic"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("Explanation"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


@ally_page
def portal(request: HttpRequest) -> HttpResponse:
    """Anyone on the council proposes a topic (the action checks the seat and the method's rules)."""
    if request.method == "POST" and request.POST.get("do") == "agenda":
        council = access_council_by_id(request.user, request.POST.get("council", ""))
        topic = TopicForm(request.POST, prefix=f"topic{council.pk}")
        if topic.is_valid():
            run_action(
                request,
                lambda: do_propose_agenda_item(council, acting_user=request.user, **topic.cleaned_data),
                done=_("Your topic is on the list."),
            )
            return redirect("pages:portal")
    councils = []
    for council in councils_visible_to(request.user).order_by("name"):
        contacts = contact_sheet(council, viewer=request.user)
        councils.append(
            {"council": council, "contacts": contacts, "topic": TopicForm(prefix=f"topic{council.pk}")}
        )
    meetings = list(
        meetings_visible_to(request.user)
        .filter(status=MeetingStatus.PLANNED, starts_at__gte=timezone.now())
        .select_related("council")
        .order_by("starts_at")[:5]
    )
    agenda = list(
        agenda_items_visible_to(request.user)
        .filter(meeting__in=meetings)
        .select_related("meeting")
        .order_by("meeting__starts_at", "pk")
    )
    own = frozenset(request.actor.ally_key_figure_ids)
    notices = []
    for notice in notices_visible_to(request.user).order_by("-published_at")[:10]:
        read = notice.recipients.filter(key_figure_id__in=own, read_at__isnull=False).exists()
        notices.append((notice, read))
    return render(
        request,
        "pages/portal.html",
        {"nav": "portal", "councils": councils, "meetings": meetings, "agenda": agenda, "notices": notices},
    )


@ally_page
def confirm_notice(request: HttpRequest, notice_id: str) -> HttpResponse:
    if request.method == "POST":
        notice = access_notice_by_id(request.user, notice_id)
        run_action(
            request,
            lambda: do_confirm_notice_read(notice, acting_user=request.user),
            done=_("Thank you: you confirmed that you have read this notice."),
        )
    return redirect("pages:portal")
