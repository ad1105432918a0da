"""Realtime events of this app, sent on the tenant's ``events`` topic after commit.

Staff receive every event; an ally receives only those about them: the events of their own
signals and the notices addressed to them (see ``realtime.groups``).

Payloads carry ids and states only, never descriptions or names: the socket is a nudge to
refetch through the API, where the access rules apply.
"""

from __future__ import annotations

from typing import TypedDict

TOPIC = "events"

SIGNAL_RAISED = "signal.raised"
SIGNAL_ANSWERED = "signal.answered"
NOTICE_PUBLISHED = "notice.published"


class SignalRaisedPayload(TypedDict):
    signal_id: int
    category: str
    neighbourhood_id: int
    status: str
    raised_at: str


class SignalAnsweredPayload(TypedDict):
    signal_id: int
    answer_id: int
    status: str
    first_answer: bool
    answered_at: str


class NoticePublishedPayload(TypedDict):
    notice_id: int
    council_id: int | None
    planned_start: str
    recipient_count: int
