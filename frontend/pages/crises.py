"""The crisis room's pages: the room, the one-tap answer from a call's link, the room's forms.

Every form posts to the same actions as the REST twins and the socket (``do_respond``,
``do_post_entry``, ``do_update_summary``, ``do_contact_ally``, ``do_close_crisis``), so the page
works without JavaScript; with it, ``crisis-room.js`` takes over the log and the post form over
``/ws/crisis/<id>/``. The room shows the convened allies by name, so every render logs those
reads exactly as the REST detail does (``log_rollcall_read``).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agora.accounts.models import User
from agora.errors import DomainError
from frontend.pages.base import member_page, run_action
from frontend.pages.crisis_log import entry_labels, log_entries
from tenants.crises import actions
from tenants.crises.access import RoomSeat, log_rollcall_read
from tenants.crises.access import access_crisis_by_id as _access
from tenants.crises.log import events_after
from tenants.crises.models import Answer, CrisisStatus
from tenants.crises.queries import crisis_state

PAGE_SIZE = 500


def access_crisis_by_id(user: Any, crisis_id: Any) -> RoomSeat:
    """The access helper, its refusals as the platform's 404 and 403 pages (never a 500)."""
    try:
        return _access(user, crisis_id)
    except DomainError as error:
        if error.status == 404:
            raise Http404 from error
        raise PermissionDenied from error


def _all_events(crisis_id: int) -> list[dict[str, Any]]:
    frames: list[dict[str, Any]] = []
    after = 0
    while True:
        page = events_after(crisis_id, after, limit=PAGE_SIZE)
        frames.extend(page)
        if len(page) < PAGE_SIZE:
            return frames
        after = page[-1]["seq"]


def _names(state: dict[str, Any], extra_user_ids: set[int]) -> dict[int, str]:
    """Display names by user id: the convened (from the roll-call) and staff seen in the room."""
    names = {row["user_id"]: row["name"] for row in state["rollcall"] if row["user_id"]}
    missing = extra_user_ids - set(names)
    for user in User.objects.filter(pk__in=missing):
        names[user.pk] = user.display_name
    return names


def _owner_choices(state: dict[str, Any]) -> list[tuple[int, str]]:
    """Who may own a task: the convened people with a login (the action checks it again)."""
    seen: dict[int, str] = {}
    for row in state["rollcall"]:
        if row["user_id"] and row["user_id"] not in seen:
            seen[row["user_id"]] = row["name"]
    return sorted(seen.items(), key=lambda item: item[1])


def room_context(request: HttpRequest, crisis_id: str) -> dict[str, Any]:
    """Everything the room page and its status part show (reads only, logged)."""
    seat = access_crisis_by_id(request.user, crisis_id)
    crisis = seat.crisis
    log_rollcall_read(request.user, crisis)  # the roll-call names the convened allies
    state = crisis_state(crisis)
    events = [] if crisis.is_drill else _all_events(crisis.pk)
    authors = {e["author_id"] for e in events if e["author_id"]}
    owners = {e["data"].get("owner_id") for e in events if e["data"].get("owner_id")}
    present = set(state["present_user_ids"])
    summary_by = state["summary"]["updated_by_id"]
    names = _names(state, authors | owners | present | ({summary_by} if summary_by else set()))
    convocation_names = {row["id"]: row["name"] for row in state["rollcall"]}
    you = seat.convocation
    return {
        "nav": "crises",
        "crisis": crisis,
        "state": state,
        "rollcall": state["rollcall"],
        "quorum": state["quorum"],
        "entries": log_entries(events, names=names, convocations=convocation_names),
        "last_seq": events[-1]["seq"] if events else state["last_seq"],
        "present": [names.get(pk, "?") for pk in state["present_user_ids"]],
        "summary_by": names.get(summary_by) if summary_by else None,
        "you": you,
        "is_staff": seat.actor.is_staff,
        "is_open": crisis.status == CrisisStatus.OPEN,
        "answers": Answer.choices,
        "owner_choices": _owner_choices(state),
        "client_msg_id": uuid.uuid4(),
        "client": {
            "crisis": crisis.pk,
            "last_seq": events[-1]["seq"] if events else state["last_seq"],
            "socket": f"/ws/crisis/{crisis.pk}/",
            "status_url": f"/crises/{crisis.pk}/?part=status",
            "user_id": request.user.pk,
            "names": {str(k): v for k, v in names.items()},
            "convocations": {str(k): v for k, v in convocation_names.items()},
            "labels": entry_labels(),
        },
    }


@member_page
def crisis_room(request: HttpRequest, crisis_id: str) -> HttpResponse:
    """The room; for someone called who has not answered yet, the one-tap answer comes first."""
    context = room_context(request, crisis_id)
    crisis, you = context["crisis"], context["you"]
    if request.GET.get("part") == "status":
        return render(request, "pages/crisis_status.html", context)
    if crisis.is_drill:
        return render(request, "pages/crisis_drill.html", context)
    wants_answer = you is not None and not you.answer and context["is_open"]
    if wants_answer and request.GET.get("room") != "1":
        return render(request, "pages/crisis_answer.html", context)
    return render(request, "pages/crisis_room.html", context)


@require_POST
@member_page
def crisis_answer(request: HttpRequest, crisis_id: str) -> HttpResponse:
    """The one tap: coming / remote / unable (with an ETA), through the same action as the API."""
    done = run_action(
        request,
        lambda: actions.do_respond(
            crisis_id,
            answer=request.POST.get("answer"),
            eta_minutes=request.POST.get("eta_minutes") or None,
            acting_user=request.user,
        ),
        done=_("Your answer is recorded."),
    )
    crisis = access_crisis_by_id(request.user, crisis_id).crisis
    if done is None or crisis.is_drill:
        return redirect("pages:crisis", crisis_id=crisis.pk)
    return redirect(f"/crises/{crisis.pk}/?room=1#log")


@require_POST
@member_page
def crisis_post(request: HttpRequest, crisis_id: str) -> HttpResponse:
    """A message, decision or task from the plain form; the form's own id makes a resubmit harmless."""
    kind = request.POST.get("kind") or "message"
    run_action(
        request,
        lambda: actions.do_post_entry(
            crisis_id,
            client_msg_id=request.POST.get("client_msg_id"),
            body=request.POST.get("body"),
            kind=kind,
            owner_id=(request.POST.get("owner_id") or None) if kind == "task" else None,
            acting_user=request.user,
        ),
    )
    return redirect(f"/crises/{access_crisis_by_id(request.user, crisis_id).crisis.pk}/?room=1#log")


@require_POST
@member_page
def crisis_summary(request: HttpRequest, crisis_id: str) -> HttpResponse:
    run_action(
        request,
        lambda: actions.do_update_summary(crisis_id, text=request.POST.get("text"), acting_user=request.user),
        done=_("The situation summary is updated."),
    )
    return redirect(f"/crises/{access_crisis_by_id(request.user, crisis_id).crisis.pk}/?room=1#summary")


@require_POST
@member_page
def crisis_contact(request: HttpRequest, crisis_id: str) -> HttpResponse:
    run_action(
        request,
        lambda: actions.do_contact_ally(
            crisis_id, request.POST.get("convocation_id"), acting_user=request.user
        ),
        done=_("The ally is called again."),
    )
    return redirect(f"/crises/{access_crisis_by_id(request.user, crisis_id).crisis.pk}/?room=1#rollcall")


@require_POST
@member_page
def crisis_close(request: HttpRequest, crisis_id: str) -> HttpResponse:
    run_action(
        request,
        lambda: actions.do_close_crisis(crisis_id, acting_user=request.user),
        done=_("The crisis is closed; the room is frozen."),
    )
    return redirect(f"/crises/{access_crisis_by_id(request.user, crisis_id).crisis.pk}/?room=1")
