"""Councils (staff): composition, meetings with the meal, agenda, health; the contact sheet download."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from agora.audit.actions import log_person_reads
from agora.errors import DomainError
from frontend.pages.base import member_page, staff_page
from frontend.pages.council_forms import handle
from tenants.councils.access import access_contact_sheet, access_council_by_id, councils_visible_to
from tenants.councils.exports import contact_sheet, contacts_as_vcard
from tenants.councils.health import council_health
from tenants.councils.models import Attendance
from tenants.councils.workflow import MeetingStatus
from tenants.crises.access import log_rollcall_read
from tenants.crises.queries import rollcall_rows
from tenants.crises.timeline import drill_reach, last_drill
from tenants.signals.access import notices_visible_to
from tenants.signals.receipts import notice_receipts

PURPOSE = "council page"


@staff_page
def council_list(request: HttpRequest) -> HttpResponse:
    health = {row["id"]: row for row in council_health()["councils"]}
    councils = [
        (council, health.get(council.pk)) for council in councils_visible_to(request.user).order_by("name")
    ]
    return render(request, "pages/councils.html", {"nav": "councils", "councils": councils})


@staff_page
def council_detail(request: HttpRequest, council_id: str) -> HttpResponse:
    council = access_council_by_id(request.user, council_id)
    forms = handle(request, council, request.actor)
    if forms.pop("done"):
        return redirect("pages:council", council_id=council.pk)
    seats = list(
        council.members.filter(left_on__isnull=True).select_related("key_figure").order_by("joined_on")
    )
    leads = [
        (label, membership)
        for label, membership in (
            ("municipal_lead", council.municipal_lead),
            ("municipal_deputy", council.municipal_deputy),
            ("police_lead", council.police_lead),
            ("police_deputy", council.police_deputy),
        )
        if membership is not None
    ]
    log_person_reads(
        actor=request.user,
        objs=[seat.key_figure for seat in seats] + [membership.user for _, membership in leads],
        purpose=f"{PURPOSE} {council.pk}",
    )
    # The "seat allies" picker names every ally not seated here: a read of each of them too.
    log_person_reads(
        actor=request.user,
        objs=list(forms["seats_form"].fields["allies"].queryset),
        purpose=f"{PURPOSE} {council.pk}: allies to seat",
    )
    meetings = list(council.meetings.order_by("-starts_at")[:12])
    agenda = list(council.agenda_items.select_related("meeting").order_by("-pk")[:30])
    notices = []
    for notice in notices_visible_to(request.user).filter(council=council).order_by("-published_at")[:10]:
        receipts = notice_receipts(notice)
        log_person_reads(
            actor=request.user, objs=[r.key_figure for r in receipts], purpose=f"{PURPOSE} notice"
        )
        notices.append((notice, receipts))
    health = council_health(council.pk)["councils"]
    drill = _last_drill(request, council.pk)
    try:
        access_contact_sheet(request.user, council.pk)
        may_download = True
    except DomainError:
        may_download = False
    return render(
        request,
        "pages/council.html",
        {
            "nav": "councils",
            "council": council,
            "seats": seats,
            "leads": leads,
            "meetings": meetings,
            "agenda": agenda,
            "notices": notices,
            "health": health[0] if health else None,
            "may_download": may_download,
            "drill": drill,
            "attendance_forms": _attendance_forms(meetings, seats, leads),
            **forms,
        },
    )


def _last_drill(request: HttpRequest, council_id: int) -> dict | None:
    """The council's last reachability drill: who answered, how fast, the time to quorum.

    It names the members called, so the convened allies' reads are logged as in the room.
    """
    drill = last_drill(council_id)
    if drill is None:
        return None
    log_rollcall_read(request.user, drill)
    names = {row["id"]: row["name"] for row in rollcall_rows(drill)}
    reach = drill_reach(drill)
    members = [{**m, "name": names.get(m["convocation_id"], "?")} for m in reach["members"]]
    members.sort(key=lambda m: (m["answer_seconds"] is None, m["answer_seconds"] or 0))
    seconds = reach["time_to_quorum_seconds"]
    minutes = None if seconds is None else round(seconds / 60, 1)
    return {"crisis": drill, **reach, "members": members, "time_to_quorum_minutes": minutes}


def _attendance_forms(meetings, seats, leads) -> list[dict]:
    """Per planned meeting: everyone who may attend (seats, leads), ticked if recorded present."""
    planned = [m for m in meetings if m.status == MeetingStatus.PLANNED]
    present = {
        (a.meeting_id, f"seat:{a.member_id}" if a.member_id else f"lead:{a.membership_id}")
        for a in Attendance.objects.filter(meeting__in=planned, present=True)
    }
    people = [(f"seat:{seat.pk}", seat.key_figure.full_name) for seat in seats] + [
        (f"lead:{membership.pk}", membership.user.display_name) for _, membership in leads
    ]
    return [
        {"meeting": m, "people": [(value, name, (m.pk, value) in present) for value, name in people]}
        for m in planned
    ]


@member_page
def council_vcard(request: HttpRequest, council_id: str) -> HttpResponse:
    """The contact sheet as a vCard file (the same export as the API's ``.vcf``)."""
    try:
        council = access_contact_sheet(request.user, council_id)
    except DomainError as error:
        raise Http404 from error
    body = contacts_as_vcard(contact_sheet(council, viewer=request.user), council_name=council.name)
    response = HttpResponse(body, content_type="text/vcard; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="overleg-{council.pk}.vcf"'
    return response
