"""The roll-call: answers (coming / remote / unable, with an ETA), the quorum, escalation, recalls.

Escalation runs on a clock, not on a request: :func:`do_escalate_unanswered` is called by the
escalation runner (``tenants.crises.escalation``: a thread of every served process, or the
``crisis_escalate`` command) with the time it takes as "now", so tests move the clock instead of
sleeping. It acts as the system: nobody's rights are borrowed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from agora.accounts.actors import require_member, require_staff
from agora.ids import parse_id
from agora.national.live import announce_crisis_change
from agora.observability import metrics
from tenants.crises import errors
from tenants.crises.access import access_crisis_by_id
from tenants.crises.log import append_event
from tenants.crises.models import Answer, Convocation, Crisis, CrisisStatus, Side
from tenants.crises.notify import Recipient, working_number
from tenants.crises.queries import quorum_state
from tenants.crises.rules import current_settings

MAX_ETA = 1440


def _check_open(crisis: Crisis) -> None:
    if crisis.status != CrisisStatus.OPEN:
        raise errors.CRISIS_CLOSED()


def check_quorum(crisis: Crisis, now: dt.datetime) -> None:
    """Record the first moment the answers make a quorum (once per crisis)."""
    if crisis.quorum_at is not None:
        return
    state = quorum_state(crisis)
    if state["reached"]:
        crisis.quorum_at = now
        Crisis.objects.filter(pk=crisis.pk).update(quorum_at=now)
        append_event(crisis, "quorum.reached", {"answered": state["answered"], "at": now.isoformat()}, at=now)
        announce_crisis_change(crisis, "quorum_reached", at=now)
        # Observed once the quorum is committed (a rolled-back answer convened nobody).
        kind, seconds = ("drill" if crisis.is_drill else "crisis"), (now - crisis.declared_at).total_seconds()
        transaction.on_commit(lambda: metrics.convened(kind, seconds))


def _eta(raw: Any) -> int | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool) or not isinstance(raw, (int, str)):
        raise errors.CRISIS_ETA_INVALID(fields={"eta_minutes": [str(raw)]})
    text = str(raw)
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_ETA:
        raise errors.CRISIS_ETA_INVALID(fields={"eta_minutes": [text]})
    return int(text)


@transaction.atomic
def do_respond(
    crisis_id: Any, *, answer: Any, eta_minutes: Any = None, acting_user: Any, now: dt.datetime | None = None
) -> Convocation:
    """A convened member answers the call; answering again replaces the earlier answer."""
    require_member(acting_user)
    seat = access_crisis_by_id(acting_user, crisis_id, for_update=True)
    crisis = seat.crisis
    _check_open(crisis)
    if seat.convocation is None:
        raise errors.CRISIS_NOT_CONVENED()
    if answer not in Answer.values:
        raise errors.CRISIS_ANSWER_INVALID(fields={"answer": [str(answer)]})
    eta = _eta(eta_minutes) if answer != Answer.UNABLE else None
    now = now or timezone.now()
    convocation = Convocation.objects.select_for_update().get(pk=seat.convocation.pk)
    convocation.answer = answer
    convocation.eta_minutes = eta
    convocation.answered_at = now
    if convocation.user_id is None:
        convocation.user = acting_user
    convocation.save(update_fields=["answer", "eta_minutes", "answered_at", "user"])
    append_event(
        crisis,
        "rollcall.answered",
        {
            "convocation_id": convocation.pk,
            "side": convocation.side,
            "answer": answer,
            "eta_minutes": eta,
            "seconds_after_declaration": int((now - crisis.declared_at).total_seconds()),
        },
        author=acting_user,
        at=now,
    )
    check_quorum(crisis, now)
    return convocation


def _recipient(convocation: Convocation) -> Recipient:
    if convocation.key_figure_id:
        kf = convocation.key_figure
        return Recipient(mobile=working_number(kf.mobile), email=kf.email)
    membership = convocation.membership
    return Recipient(mobile=working_number(membership.mobile), email=membership.user.email)


@transaction.atomic
def do_escalate_unanswered(*, now: dt.datetime | None = None) -> list[Convocation]:
    """Escalate every lead who has not answered within the municipality's minutes to their deputy.

    Once per lead: the lead's row gets ``escalated_at``; the deputy (if any, and if they have not
    answered yet) is called again, marked urgent; the log says so either way, with no deputy too.
    """
    from tenants.crises.actions.convening import notify_on_commit

    now = now or timezone.now()
    cutoff = now - dt.timedelta(minutes=current_settings().escalate_after_minutes)
    escalated = []
    leads = (
        # SKIP LOCKED: a lead another runner is escalating right now is theirs (never twice).
        Convocation.objects.select_for_update(of=("self",), skip_locked=True)
        .select_related("crisis", "deputy__membership__user", "deputy__key_figure")
        .filter(
            crisis__status=CrisisStatus.OPEN,
            position="lead",
            answer="",
            escalated_at__isnull=True,
            notified_at__lte=cutoff,
        )
        .order_by("crisis_id", "pk")
    )
    for lead in leads:
        lead.escalated_at = now
        lead.save(update_fields=["escalated_at"])
        deputy = lead.deputy
        append_event(
            lead.crisis_id,
            "rollcall.escalated",
            {
                "convocation_id": lead.pk,
                "side": lead.side,
                "deputy_id": deputy.pk if deputy else None,
                "deputy_already_answered": bool(deputy and deputy.answer),
            },
            at=now,
        )
        if deputy is not None and not deputy.answer:
            notify_on_commit(lead.crisis, [(deputy, _recipient(deputy))], urgent=True)
            _nudge_in_app(lead.crisis, deputy)
        escalated.append(lead)
    return escalated


def _nudge_in_app(crisis: Crisis, convocation: Convocation) -> None:
    from realtime.events import send_event_on_commit
    from tenants.crises.actions.convening import room_link

    send_event_on_commit(
        "events",
        "crisis.called_again",
        {"crisis_id": crisis.pk, "convocation_id": convocation.pk, "link": room_link(crisis)},
        ally_ids=[convocation.key_figure_id] if convocation.key_figure_id and convocation.user_id else [],
    )


@transaction.atomic
def do_contact_ally(
    crisis_id: Any, convocation_id: Any, *, acting_user: Any, now: dt.datetime | None = None
) -> Convocation:
    """Staff in the room call one convened ally again (one by one, as the room decides)."""
    from tenants.crises.actions.convening import notify_on_commit

    require_staff(acting_user)
    crisis = access_crisis_by_id(acting_user, crisis_id, for_update=True).crisis
    _check_open(crisis)
    pk = parse_id(convocation_id)
    convocation = (
        Convocation.objects.select_for_update(of=("self",))
        .select_related("key_figure")
        .filter(crisis=crisis, pk=pk, side=Side.ALLY)
        .first()
        if pk
        else None
    )
    if convocation is None:
        raise errors.CRISIS_NOT_AN_ALLY(fields={"convocation_id": [str(convocation_id)]})
    now = now or timezone.now()
    convocation.contacted_at = now
    convocation.save(update_fields=["contacted_at"])
    append_event(
        crisis,
        "ally.contacted",
        {"convocation_id": convocation.pk, "reachable": convocation.reachable},
        author=acting_user,
        at=now,
    )
    notify_on_commit(crisis, [(convocation, _recipient(convocation))], urgent=False)
    _nudge_in_app(crisis, convocation)
    return convocation
