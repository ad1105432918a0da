"""After-action reads: a closed crisis's timeline, and a council's drill reach and drill gap.

Both are built from the log and the roll-call only, so they say what happened in the order it
was stored. Times are in seconds from the declaration (None: it never happened).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from tenants.councils.health import _months_ago
from tenants.crises.models import Convocation, Crisis, CrisisEvent
from tenants.crises.queries import PRESENT_ANSWERS, rollcall_rows
from tenants.crises.rules import current_settings

TIMELINE_KINDS = frozenset(
    {
        "crisis.declared",
        "rollcall.delivered",
        "rollcall.answered",
        "rollcall.escalated",
        "ally.contacted",
        "quorum.reached",
        "room.first_meeting",
        "message.posted",
        "decision.recorded",
        "task.assigned",
        "summary.updated",
        "crisis.closed",
    }
)


def _seconds(crisis: Crisis, moment: dt.datetime | None) -> int | None:
    return None if moment is None else int((moment - crisis.declared_at).total_seconds())


def crisis_timeline(crisis: Crisis) -> dict[str, Any]:
    """The after-action timeline: the durations that matter, the roll-call, the log in order."""
    entries = [
        {
            "seq": event.seq,
            "at": event.created_at.isoformat(),
            "after_seconds": _seconds(crisis, event.created_at),
            "kind": event.kind,
            "author_id": event.author_id,
            "data": event.payload,
        }
        for event in CrisisEvent.objects.filter(crisis=crisis, kind__in=TIMELINE_KINDS).order_by("seq")
    ]
    return {
        "id": crisis.pk,
        "title": crisis.title,
        "kind": crisis.kind,
        "is_drill": crisis.is_drill,
        "status": crisis.status,
        "declared_at": crisis.declared_at.isoformat(),
        "deadline_at": crisis.deadline_at.isoformat(),
        "closed_at": crisis.closed_at.isoformat() if crisis.closed_at else None,
        "declaration_to_quorum_seconds": _seconds(crisis, crisis.quorum_at),
        "declaration_to_first_meeting_seconds": _seconds(crisis, crisis.first_meeting_at),
        "quorum_within_goal": crisis.quorum_at is not None and crisis.quorum_at <= crisis.deadline_at,
        "rollcall": rollcall_rows(crisis, crisis.closed_at),
        "entries": entries,
    }


def drill_reach(drill: Crisis) -> dict[str, Any]:
    """Who a drill reached: answers, how fast (seconds after the call), who never answered."""
    rows = []
    for c in Convocation.objects.filter(crisis=drill).order_by("side", "position", "pk"):
        rows.append(
            {
                "convocation_id": c.pk,
                "side": c.side,
                "position": c.position,
                "reachable": c.reachable,
                "answer": c.answer or None,
                "answer_seconds": _seconds(drill, c.answered_at),
            }
        )
    answered = [r for r in rows if r["answer"]]
    return {
        "drill_id": drill.pk,
        "started_at": drill.declared_at.isoformat(),
        "called": len(rows),
        "answered": len(answered),
        "present": sum(1 for r in answered if r["answer"] in PRESENT_ANSWERS),
        "unreachable": sum(1 for r in rows if not r["reachable"]),
        "never_answered": sum(1 for r in rows if r["reachable"] and not r["answer"]),
        "time_to_quorum_seconds": _seconds(drill, drill.quorum_at),
        "members": rows,
    }


def last_drill(council_id: int) -> Crisis | None:
    return Crisis.objects.filter(is_drill=True, councils=council_id).order_by("-declared_at", "-pk").first()


def drill_gaps(council_ids: list[int], *, today: dt.date | None = None) -> dict[int, dict[str, Any]]:
    """Per council: its last drill and whether that is a gap (none, or older than the setting)."""
    today = today or timezone.localdate()
    months = current_settings().drill_max_age_months
    cutoff = _months_ago(today, months)
    last: dict[int, dt.datetime] = {}
    for council_id, declared_at in (
        Crisis.councils.through.objects.filter(council_id__in=council_ids, crisis__is_drill=True)
        .order_by("crisis__declared_at")
        .values_list("council_id", "crisis__declared_at")
    ):
        last[council_id] = declared_at
    result = {}
    for pk in council_ids:
        at = last.get(pk)
        result[pk] = {
            "last_drill_at": at.isoformat() if at else None,
            "months": months,
            "gap": at is None or timezone.localtime(at).date() < cutoff,
        }
    return result
