"""The rules that change signals and notices. Views, admin and demo call these; nothing else writes.

Each action runs in one transaction, checks who acts through the actor core
(``agora.accounts.actors``), takes its step of ``SIGNAL_WORKFLOW`` on a row locked with
``agora.workflow.lock`` (``select_for_update``), writes its history and audit rows in the same
transaction and sends its realtime event only after commit.

Times: actions accept an explicit instant (for the demo's history and for tests) and otherwise
use ``timezone.now()``. Every instant is converted to UTC before any arithmetic, because
subtracting two wall-clock times in Europe/Amsterdam across a clock change is off by an hour.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agora.accounts.actors import MemberProblem, current_actor, find_member, require_staff
from agora.accounts.roles import STAFF_ROLES
from agora.audit.actions import record_action
from agora.errors import PERMISSION_DENIED
from agora.ids import parse_id
from agora.workflow import Step, lock
from realtime.events import send_event_on_commit
from tenants.networkmap.models import KeyFigure, Neighbourhood
from tenants.signals import errors, events
from tenants.signals.access import seated_allies
from tenants.signals.models import (
    Notice,
    NoticeRecipient,
    NoticeVisibility,
    Signal,
    SignalAnswer,
    SignalCategory,
    SignalStatusChange,
)
from tenants.signals.workflow import (
    ANSWER,
    ASSIGN,
    CLOSE,
    REOPEN,
    REOPEN_TO_INTAKE,
    SIGNAL_WORKFLOW,
    SignalStatus,
)


def as_utc(moment: datetime | None) -> datetime:
    """An aware instant in UTC (now when None). Naive datetimes are a programming error."""
    if moment is None:
        return timezone.now().astimezone(UTC)
    if timezone.is_naive(moment):
        raise ValueError("signals need aware datetimes; a naive one has no instant")
    return moment.astimezone(UTC)


def elapsed(start: datetime, end: datetime) -> timedelta:
    """Real time between two instants, correct across daylight-saving changes."""
    return as_utc(end) - as_utc(start)


def _move(
    signal: Signal,
    step: Step,
    *,
    acting_user,
    at: datetime,
    note: str = "",
    update_fields: Iterable[str] = (),
) -> None:
    """Take ``step`` on a locked signal, appending to its history when the status changes.

    A reassignment or a further answer keeps the status and so writes no history row.
    """

    def history(old: str, new: str) -> None:
        if old != new:
            SignalStatusChange.objects.create(
                signal=signal,
                from_status=old,
                to_status=new,
                changed_by=acting_user,
                changed_at=at,
                note=note,
            )

    SIGNAL_WORKFLOW.move(signal, step, history=history, update_fields=update_fields)


# --- signals ---------------------------------------------------------------------------------


@transaction.atomic
def do_raise_signal(
    *,
    category: str,
    neighbourhood_id: int,
    description: str,
    ally_id: int | None = None,
    acting_user,
    raised_at: datetime | None = None,
) -> Signal:
    """An ally raises a signal, or an official or police officer raises one on an ally's behalf.

    Both are recorded: ``raised_by`` is who typed it in, ``ally`` whose signal it is (and so who
    sees the answers).
    """
    actor = current_actor(acting_user)
    if actor.is_ally:
        if not actor.ally_key_figure_ids:
            raise errors.SIGNAL_NO_ALLY_RECORD()
        own = KeyFigure.objects.get(pk=min(actor.ally_key_figure_ids))
        if ally_id is not None and parse_id(ally_id) != own.pk:
            raise errors.SIGNAL_OWN_ONLY(fields={"ally_id": [ally_id]})
        ally = own
    elif actor.is_staff:
        if ally_id is None:
            raise errors.SIGNAL_ALLY_REQUIRED(fields={"ally_id": ["required"]})
        ally = KeyFigure.objects.filter(pk=parse_id(ally_id)).first()
        if ally is None:
            raise errors.SIGNAL_ALLY_OUTSIDE_MUNICIPALITY(fields={"ally_id": [ally_id]})
        if not ally.is_ally:
            raise errors.SIGNAL_NOT_AN_ALLY(fields={"ally_id": [ally_id]})
    else:
        raise PERMISSION_DENIED()

    if category not in SignalCategory.values:
        raise ValidationError({"category": [f"unknown category {category!r}"]})
    if not (description or "").strip():
        raise ValidationError({"description": ["a signal needs a description"]})
    neighbourhood = Neighbourhood.objects.filter(pk=parse_id(neighbourhood_id)).first()
    if neighbourhood is None:
        raise errors.SIGNAL_NEIGHBOURHOOD_OUTSIDE_MUNICIPALITY(
            fields={"neighbourhood_id": [neighbourhood_id]}
        )

    at = as_utc(raised_at)
    signal = Signal.objects.create(
        ally=ally,
        raised_by=acting_user,
        category=category,
        neighbourhood=neighbourhood,
        description=description.strip(),
        status=SignalStatus.NEW,
        raised_at=at,
        awaiting_answer_since=at,
    )
    SignalStatusChange.objects.create(
        signal=signal, from_status="", to_status=SignalStatus.NEW, changed_by=acting_user, changed_at=at
    )
    record_action(
        "signal.raised",
        actor=acting_user,
        obj=signal,
        detail={"ally_id": ally.pk, "on_behalf": ally.user_id != acting_user.pk, "category": category},
    )
    payload: events.SignalRaisedPayload = {
        "signal_id": signal.pk,
        "category": category,
        "neighbourhood_id": neighbourhood.pk,
        "status": signal.status,
        "raised_at": at.isoformat(),
    }
    send_event_on_commit(events.TOPIC, events.SIGNAL_RAISED, dict(payload), ally_ids=[ally.pk])
    return signal


@transaction.atomic
def do_assign_signal_owner(
    signal: Signal, *, owner_membership_id: int, acting_user, note: str = ""
) -> Signal:
    """Give the signal an owner on the municipal or police side (a membership of this municipality)."""
    require_staff(acting_user, error=errors.SIGNAL_STAFF_ONLY)
    signal = lock(Signal, signal)
    fields = {"owner_membership_id": [owner_membership_id]}
    outside = lambda: errors.SIGNAL_OWNER_OUTSIDE_MUNICIPALITY(fields=fields)  # noqa: E731
    owner = find_member(roles=STAFF_ROLES, membership_id=owner_membership_id).get(
        {
            MemberProblem.OUTSIDE: outside,
            MemberProblem.INACTIVE: outside,
            MemberProblem.WRONG_ROLE: lambda: errors.SIGNAL_OWNER_NOT_STAFF(fields=fields),
        }
    )
    previous_owner_id = signal.owner_id
    signal.owner = owner
    _move(signal, ASSIGN, acting_user=acting_user, at=as_utc(None), note=note, update_fields=["owner"])
    record_action(
        "signal.owner_assigned",
        actor=acting_user,
        obj=signal,
        detail={"owner_membership_id": owner.pk, "previous_owner_membership_id": previous_owner_id},
    )
    return signal


@transaction.atomic
def do_answer_signal(
    signal: Signal, *, body: str, acting_user, answered_at: datetime | None = None
) -> SignalAnswer:
    """Answer the ally. The first answer fixes the response time (first answer minus raised)."""
    require_staff(acting_user, error=errors.SIGNAL_STAFF_ONLY)
    if not (body or "").strip():
        raise ValidationError({"body": ["an answer needs text"]})
    signal = lock(Signal, signal)
    at = as_utc(answered_at)
    if at < signal.raised_at:
        raise ValueError("an answer cannot precede the signal")
    first = signal.first_answered_at is None
    if first:
        signal.first_answered_at = at
        signal.response_time = elapsed(signal.raised_at, at)
    signal.awaiting_answer_since = None
    _move(
        signal,
        ANSWER,
        acting_user=acting_user,
        at=at,
        update_fields=["first_answered_at", "response_time", "awaiting_answer_since"],
    )
    answer = SignalAnswer.objects.create(signal=signal, author=acting_user, body=body.strip(), created_at=at)
    record_action(
        "signal.answered",
        actor=acting_user,
        obj=signal,
        detail={"answer_id": answer.pk, "first_answer": first},
    )
    payload: events.SignalAnsweredPayload = {
        "signal_id": signal.pk,
        "answer_id": answer.pk,
        "status": signal.status,
        "first_answer": first,
        "answered_at": at.isoformat(),
    }
    send_event_on_commit(events.TOPIC, events.SIGNAL_ANSWERED, dict(payload), ally_ids=[signal.ally_id])
    return answer


def _note_fields(note: str) -> dict[str, list[str]]:
    """The audit row names the field, never the note: that stays in the tenant's status history."""
    return {"fields": ["note"] if (note or "").strip() else []}


@transaction.atomic
def do_close_signal(
    signal: Signal, *, acting_user, note: str = "", closed_at: datetime | None = None
) -> Signal:
    """Close an answered signal. Never before an answer: the bond works both ways."""
    require_staff(acting_user, error=errors.SIGNAL_STAFF_ONLY)
    signal = lock(Signal, signal)
    at = as_utc(closed_at)
    signal.closed_at = at
    _move(signal, CLOSE, acting_user=acting_user, at=at, note=note, update_fields=["closed_at"])
    record_action("signal.closed", actor=acting_user, obj=signal, detail=_note_fields(note))
    return signal


@transaction.atomic
def do_reopen_signal(
    signal: Signal, *, acting_user, note: str = "", reopened_at: datetime | None = None
) -> Signal:
    """The ally says the answer did not solve it: back to the owner, waiting for an answer again."""
    actor = current_actor(acting_user)
    signal = lock(Signal, signal)
    if not actor.is_ally or signal.ally.user_id != acting_user.pk:
        raise errors.SIGNAL_REOPEN_BY_ALLY_ONLY()
    at = as_utc(reopened_at)
    step = REOPEN if signal.owner_id else REOPEN_TO_INTAKE
    signal.closed_at = None
    signal.awaiting_answer_since = at
    _move(
        signal,
        step,
        acting_user=acting_user,
        at=at,
        note=note,
        update_fields=["closed_at", "awaiting_answer_since"],
    )
    record_action("signal.reopened", actor=acting_user, obj=signal, detail=_note_fields(note))
    return signal


# --- planned-intervention notices ------------------------------------------------------------


def _ids(values: Iterable[int | str]) -> list[int]:
    """Recipient ids as ``agora.ids`` reads them (ASCII digits only: "٣" is no id)."""
    parsed = [parse_id(value) for value in values]
    if any(value is None for value in parsed):
        raise ValidationError({"recipient_ids": ["ids must be integers"]})
    return sorted(set(parsed))


@transaction.atomic
def do_publish_notice(
    *,
    title: str,
    description: str,
    planned_start: datetime,
    visibility: str = NoticeVisibility.CONFIDENTIAL,
    council_id: int | None = None,
    recipient_ids: Iterable[int | str] = (),
    acting_user,
    now: datetime | None = None,
) -> Notice:
    """Inform a council, or chosen allies, beforehand of a planned intervention.

    Recipients are allies of this municipality only: an id that is not in this schema is
    someone else's and is refused by the boundary rule; a key figure who is not an ally is
    refused too. Council members (active seats) are written out as recipients now.
    """
    membership = require_staff(acting_user, error=errors.NOTICE_STAFF_ONLY).membership
    if not (title or "").strip():
        raise ValidationError({"title": ["a notice needs a title"]})
    if visibility not in NoticeVisibility.values:
        raise ValidationError({"visibility": [f"unknown visibility {visibility!r}"]})
    published = as_utc(now)
    start = as_utc(planned_start)
    if start <= published:
        raise errors.NOTICE_PLANNED_START_IN_PAST(fields={"planned_start": [planned_start.isoformat()]})

    wanted = _ids(recipient_ids)
    if council_id is None and not wanted:
        raise errors.NOTICE_WITHOUT_RECIPIENTS(fields={"recipient_ids": [], "council_id": None})

    council = None
    if council_id is not None:
        from tenants.councils.models import Council

        council = Council.objects.filter(pk=council_id).first()
        if council is None:
            raise errors.NOTICE_COUNCIL_OUTSIDE_MUNICIPALITY(fields={"council_id": [council_id]})

    figures = {figure.pk: figure for figure in KeyFigure.objects.filter(pk__in=wanted)}
    missing = [pk for pk in wanted if pk not in figures]
    if missing:
        raise errors.NOTICE_RECIPIENT_OUTSIDE_MUNICIPALITY(fields={"recipient_ids": missing}, ids=missing)
    not_allies = [pk for pk in wanted if not figures[pk].is_ally]
    if not_allies:
        raise errors.NOTICE_RECIPIENT_NOT_AN_ALLY(fields={"recipient_ids": not_allies}, ids=not_allies)

    seated: list[int] = []
    if council is not None:
        seated = list(seated_allies(council.pk).exclude(pk__in=wanted).values_list("pk", flat=True))
    if not wanted and not seated:  # a council without seated allies: nobody would be informed
        raise errors.NOTICE_WITHOUT_RECIPIENTS(fields={"council_id": [council_id]})

    notice = Notice.objects.create(
        title=title.strip(),
        description=(description or "").strip(),
        planned_start=start,
        visibility=visibility,
        council=council,
        issued_by=acting_user,
        issuer_role=membership.role,
        published_at=published,
    )
    rows = [NoticeRecipient(notice=notice, key_figure_id=pk, via_council=False) for pk in wanted]
    rows += [NoticeRecipient(notice=notice, key_figure_id=pk, via_council=True) for pk in seated]
    NoticeRecipient.objects.bulk_create(rows)
    record_action(
        "notice.published",
        actor=acting_user,
        obj=notice,
        detail={"council_id": council_id, "recipient_ids": sorted(row.key_figure_id for row in rows)},
    )
    payload: events.NoticePublishedPayload = {
        "notice_id": notice.pk,
        "council_id": council_id,
        "planned_start": start.isoformat(),
        "recipient_count": len(rows),
    }
    send_event_on_commit(
        events.TOPIC,
        events.NOTICE_PUBLISHED,
        dict(payload),
        ally_ids=[row.key_figure_id for row in rows],
    )
    return notice


@transaction.atomic
def do_confirm_notice_read(
    notice: Notice, *, acting_user, read_at: datetime | None = None
) -> list[NoticeRecipient]:
    """The ally confirms having read the notice. The first confirmation's time is kept.

    An ally who joined the notice's council after publication has no recipient row yet; their
    confirmation adds one (via the council), so the receipts stay complete.
    """
    actor = current_actor(acting_user)
    if not actor.is_ally:
        raise errors.NOTICE_READ_BY_RECIPIENT_ONLY()
    figures = actor.ally_key_figure_ids
    rows = list(
        NoticeRecipient.objects.select_for_update()
        .filter(notice=notice, key_figure_id__in=figures)
        .order_by("pk")
    )
    if not rows and notice.council_id is not None:
        joined_since = seated_allies(notice.council_id).filter(pk__in=figures)
        rows = [
            NoticeRecipient.objects.get_or_create(
                notice=notice, key_figure=figure, defaults={"via_council": True}
            )[0]
            for figure in joined_since
        ]
    if not rows:
        raise errors.NOTICE_READ_BY_RECIPIENT_ONLY()
    at = as_utc(read_at)
    unread = [row for row in rows if row.read_at is None]
    for row in unread:
        row.read_at = at
    NoticeRecipient.objects.bulk_update(unread, ["read_at"])
    if unread:
        record_action(
            "notice.read_confirmed",
            actor=acting_user,
            obj=notice,
            detail={"key_figure_ids": [row.key_figure_id for row in unread]},
        )
    return rows
