"""Reads of the crisis room as plain data: the roll-call, the quorum, a crisis's state.

The roll-call names the people in the room (the room is for them) but carries no phone number
or e-mail address: only whether a working channel exists (``reachable``, ``channels``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from tenants.crises.models import Answer, Convocation, Crisis, CrisisSettings, RoomVisit, Side
from tenants.crises.rules import current_settings

PRESENT_ANSWERS = frozenset({Answer.COMING, Answer.REMOTE})


def _name(convocation: Convocation) -> str:
    if convocation.key_figure_id:
        return convocation.key_figure.first_name
    user = convocation.membership.user
    return user.get_full_name() or user.username


def rollcall_status(convocation: Convocation, now: dt.datetime | None = None) -> str:
    """answered / unreachable / waiting / no_answer (the goal passed without an answer)."""
    if convocation.answer:
        return "answered"
    if not convocation.reachable:
        return "unreachable"
    deadline = convocation.crisis.deadline_at
    return "no_answer" if (now or timezone.now()) >= deadline else "waiting"


def rollcall_rows(
    crisis: Crisis, now: dt.datetime | None = None, *, convocations: list[Convocation] | None = None
) -> list[dict[str, Any]]:
    """The roll-call, in (side, position, id) order. ``convocations``: rows the caller holds already
    (with ``crisis``, ``key_figure`` and ``membership.user`` loaded), e.g. right after convening."""
    if convocations is None:
        convocations = list(
            Convocation.objects.filter(crisis=crisis)
            .select_related("crisis", "key_figure", "membership__user")
            .order_by("side", "position", "pk")
        )
    else:
        convocations = sorted(convocations, key=lambda c: (c.side, c.position, c.pk))
    rows = []
    for c in convocations:
        rows.append(
            {
                "id": c.pk,
                "side": c.side,
                "position": c.position,
                "name": _name(c),
                "user_id": c.user_id,
                "answer": c.answer or None,
                "eta_minutes": c.eta_minutes,
                "answered_at": c.answered_at.isoformat() if c.answered_at else None,
                "reachable": c.reachable,
                "channels": list(c.channels),
                "delivery": dict(c.delivery),
                "delivered_at": c.delivered_at.isoformat() if c.delivered_at else None,
                "escalated_at": c.escalated_at.isoformat() if c.escalated_at else None,
                "deputy_id": c.deputy_id,
                "contacted_at": c.contacted_at.isoformat() if c.contacted_at else None,
                "status": rollcall_status(c, now),
            }
        )
    return rows


def _meets(counts: dict[str, int], rules: CrisisSettings) -> bool:
    return (
        counts.get(Side.MUNICIPAL, 0) >= rules.quorum_municipal
        and counts.get(Side.POLICE, 0) >= rules.quorum_police
        and counts.get(Side.ALLY, 0) >= rules.quorum_allies
    )


def quorum_state(crisis: Crisis) -> dict[str, Any]:
    """Who said they come (or join remotely), per side, against the municipality's quorum."""
    rules = current_settings()
    counts = {side: 0 for side in Side.values}
    for side in Convocation.objects.filter(crisis=crisis, answer__in=PRESENT_ANSWERS).values_list(
        "side", flat=True
    ):
        counts[side] += 1
    return {
        "needed": {
            Side.MUNICIPAL: rules.quorum_municipal,
            Side.POLICE: rules.quorum_police,
            Side.ALLY: rules.quorum_allies,
        },
        "answered": counts,
        "reached": _meets(counts, rules),
        "reached_at": crisis.quorum_at.isoformat() if crisis.quorum_at else None,
    }


def present_sides_meet_quorum(crisis: Crisis) -> bool:
    """Whether the people now in the room make a quorum (the first time this holds: "first met")."""
    rules = current_settings()
    user_ids = set(
        RoomVisit.objects.filter(crisis=crisis, left_at__isnull=True).values_list("user_id", flat=True)
    )
    counts = {side: 0 for side in Side.values}
    for side in Convocation.objects.filter(crisis=crisis, user_id__in=user_ids).values_list(
        "side", flat=True
    ):
        counts[side] += 1
    return _meets(counts, rules)


def present_user_ids(crisis: Crisis) -> list[int]:
    return sorted(
        set(RoomVisit.objects.filter(crisis=crisis, left_at__isnull=True).values_list("user_id", flat=True))
    )


def crisis_state(crisis: Crisis, now: dt.datetime | None = None) -> dict[str, Any]:
    """The whole picture of a crisis: the hello frame and the REST detail share it."""
    return {
        "id": crisis.pk,
        "title": crisis.title,
        "kind": crisis.kind,
        "is_drill": crisis.is_drill,
        "status": crisis.status,
        "declared_at": crisis.declared_at.isoformat(),
        "declared_by_id": crisis.declared_by_id,
        "deadline_at": crisis.deadline_at.isoformat(),
        "closed_at": crisis.closed_at.isoformat() if crisis.closed_at else None,
        "first_meeting_at": crisis.first_meeting_at.isoformat() if crisis.first_meeting_at else None,
        "council_ids": sorted(c.pk for c in crisis.councils.all()),
        "neighbourhood_ids": sorted(n.pk for n in crisis.neighbourhoods.all()),
        "last_seq": crisis.last_seq,
        "summary": {
            "text": crisis.summary,
            "updated_at": crisis.summary_updated_at.isoformat() if crisis.summary_updated_at else None,
            "updated_by_id": crisis.summary_updated_by_id,
        },
        "quorum": quorum_state(crisis),
        "rollcall": rollcall_rows(crisis, now),
        "present_user_ids": present_user_ids(crisis),
    }


def rollcall_counts(crisis: Crisis, now: dt.datetime | None = None) -> dict[str, int]:
    """The roll-call as counts (no names): what the dashboard shows per open crisis."""
    now = now or timezone.now()
    counts = {"called": 0, "present": 0, "unable": 0, "unreachable": 0, "waiting": 0, "no_answer": 0}
    for c in Convocation.objects.filter(crisis=crisis).select_related("crisis"):
        counts["called"] += 1
        if c.answer in PRESENT_ANSWERS:
            counts["present"] += 1
        elif c.answer == Answer.UNABLE:
            counts["unable"] += 1
        else:
            counts[rollcall_status(c, now)] += 1
    return counts


def open_crises(now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Open crises (not drills), newest first, each with its roll-call counts and quorum."""
    rows = []
    for crisis in Crisis.objects.filter(is_drill=False, status="open").order_by("-declared_at", "-pk"):
        rows.append(
            {
                "crisis": crisis,
                "counts": rollcall_counts(crisis, now),
                "quorum": quorum_state(crisis),
            }
        )
    return rows
