"""How the room's log reads on the page: one line per event, the same words server-side and live.

The templates render :func:`log_entries`; ``crisis-room.js`` renders live events with the same
labels (:func:`entry_labels`, handed over in a ``json_script`` block), so an entry looks the same
whether it came with the page or over the socket. Placeholders are ``{name}``-style in both.
"""

from __future__ import annotations

from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

# The kinds people write; everything else is the system telling what happened.
WRITTEN = frozenset({"message.posted", "decision.recorded", "task.assigned"})


def entry_labels() -> dict[str, str]:
    """Per event kind the line shown, with ``{name}``, ``{owner}``, ``{answer}``, ``{eta}`` filled in."""
    return {
        "crisis.declared": _("Crisis declared: {title}"),
        "rollcall.convened": _("{count} members called"),
        "rollcall.delivered": _("Calls sent: {sent} delivered, {failed} failed"),
        "rollcall.answered": _("{name} answers: {answer}"),
        "rollcall.escalated": _("{name} did not answer: called their deputy"),
        "rollcall.escalated.nodeputy": _("{name} did not answer and has no deputy"),
        "ally.contacted": _("{name} called again"),
        "quorum.reached": _("Quorum reached"),
        "room.first_meeting": _("First meeting: the quorum is in the room"),
        "message.posted": "{body}",
        "decision.recorded": _("Decision: {body}"),
        "task.assigned": _("Task for {owner}: {body}"),
        "summary.updated": _("Situation summary updated"),
        "crisis.closed": _("Crisis closed; the room is frozen"),
        "other": _("Event: {kind}"),
        "eta": _("{answer} (in {eta} min)"),
        "coming": _("coming"),
        "remote": _("remote"),
        "unable": _("unable"),
        "sending": _("sending…"),
        "unknown": _("someone"),
        "system": _("system"),
        "connected": _("Live: connected."),
        "offline": _("Offline: your messages wait and are sent when the connection is back."),
        "reconnecting": _("Connection lost; reconnecting…"),
        "gone": _("You no longer have access to this room. Reload the page."),
        "minutes_left": _("{minutes} min left"),
        "overdue": _("the hour has passed"),
    }


def _fill(template: str, values: dict[str, Any]) -> str:
    for key, value in values.items():
        template = template.replace("{" + key + "}", str(value))
    return template


def entry_text(
    frame: dict[str, Any], *, labels: dict[str, str], names: dict[int, str], convocations: dict[int, str]
) -> str:
    """The line for one event frame (the JavaScript twin is ``entryText`` in crisis-room.js)."""
    kind, data = frame["kind"], frame.get("data") or {}
    if kind == "rollcall.escalated" and not data.get("deputy_id"):
        kind = "rollcall.escalated.nodeputy"
    template = labels.get(kind, labels["other"])
    answer = labels.get(data.get("answer") or "", data.get("answer") or "")
    if data.get("eta_minutes") is not None and data.get("answer") != "unable":
        answer = _fill(labels["eta"], {"answer": answer, "eta": data["eta_minutes"]})
    deliveries = data.get("deliveries") or []
    return _fill(
        template,
        {
            "title": data.get("title", ""),
            "count": len(data.get("rollcall") or []),
            "sent": sum(1 for d in deliveries for k in ("sms", "email") if d.get(k) == "sent"),
            "failed": data.get("failed", 0),
            "name": convocations.get(data.get("convocation_id"), labels["unknown"]),
            "answer": answer,
            "owner": names.get(data.get("owner_id"), labels["unknown"]),
            "body": data.get("body", ""),
            "kind": frame["kind"],
        },
    )


def log_entries(
    events: list[dict[str, Any]], *, names: dict[int, str], convocations: dict[int, str]
) -> list[dict[str, Any]]:
    labels = entry_labels()
    return [
        {
            "seq": frame["seq"],
            "kind": frame["kind"],
            "written": frame["kind"] in WRITTEN,
            "at": parse_datetime(frame["at"]),
            "author": names.get(frame["author_id"], labels["unknown"])
            if frame["author_id"]
            else labels["system"],
            "text": entry_text(frame, labels=labels, names=names, convocations=convocations),
            "client_msg_id": frame.get("client_msg_id", ""),
        }
        for frame in events
    ]
