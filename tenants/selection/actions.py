"""The selection pipeline's rules that change data. The only writer of cases and of ``is_ally``.

Every action: checks through the actor core (``require_staff``, refusing with this app's published
``not_municipal_staff``) that the acting user is an official or police officer of the current
municipality, locks the case row (``select_for_update``) so that two people acting at once are
serialised, checks the step against ``workflow``, applies the hard rules of METHOD.md step 2,
writes the change, an append-only history row and an audit row, all in one transaction.

Hard rules (``tenants.selection.rules.check_ally_invariants``), checked at every step that brings
a key figure closer to being an ally (opening a case, starting the review, approving, deciding
ally, re-activating), because a flag can change while a case is under way.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone
from django.utils.functional import lazy

from agora.accounts.actors import find_member, forget_actors, require_staff
from agora.accounts.models import Membership, User
from agora.accounts.roles import STAFF_ROLES
from agora.audit.actions import record_action
from agora.ids import parse_id
from agora.workflow import Step, lock
from realtime.revocation import disconnect_user_on_commit
from tenants.networkmap.models import KeyFigure
from tenants.selection import errors
from tenants.selection.models import (
    ASSESSMENT_QUESTIONS,
    Answer,
    Approval,
    HomeVisit,
    ReviewSide,
    SelectionCase,
    Transition,
)
from tenants.selection.rules import check_ally_invariants
from tenants.selection.workflow import (
    APPROVE,
    DECIDE_ALLY,
    DECIDE_NOT_SUITABLE,
    REACTIVATE,
    RECORD_HOME_VISIT,
    REJECT,
    SELECTION_WORKFLOW,
    START_REVIEW,
    STEP_DOWN,
    CaseState,
)


@dataclass(frozen=True)
class AssessmentAnswer:
    """The answer to one assessment question of the home visit (yes / no / doubt) and notes."""

    answer: str
    notes: str = ""


# --- guards shared by the actions -------------------------------------------------------------


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise errors.REASON_REQUIRED(fields={"reason": [errors.REASON_REQUIRED().message()]})
    return reason


def _move(
    case: SelectionCase, step: Step, *, membership: Membership, acting_user: User, reason: str
) -> SelectionCase:
    """Take ``step`` on a locked case: new state, one history row, one audit row."""
    assert step.target is not None

    def history(old: str, new: str) -> None:
        Transition.objects.create(
            case=case,
            from_state=old,
            to_state=new,
            user=acting_user,
            membership=membership,
            role=membership.role,
            reason=reason,
        )

    from_state = SELECTION_WORKFLOW.move(case, step, history=history)
    record_action(
        f"selection.{step.name}",
        actor=acting_user,
        obj=case,
        detail={"key_figure_id": case.key_figure_id, "from": from_state, "to": case.state},
    )
    return case


def _set_is_ally(key_figure_id: int, value: bool) -> None:
    """``KeyFigure.is_ally`` mirrors the case; only these actions write it.

    A queryset update sends no model signal, so the actors resolved in this request (an ally's
    key-figure ids) are dropped here by hand.
    """
    KeyFigure.objects.filter(pk=key_figure_id).update(is_ally=value, updated_at=timezone.now())
    forget_actors()
    if not value:  # no longer an ally: their open sockets close (realtime.revocation)
        user_id = KeyFigure.objects.filter(pk=key_figure_id).values_list("user_id", flat=True).first()
        disconnect_user_on_commit(user_id, [connection.schema_name])


# --- the actions --------------------------------------------------------------------------------


@transaction.atomic
def do_open_case(key_figure_id: int, *, acting_user: User, reason: str = "") -> SelectionCase:
    """Nominate a key figure of this municipality for selection (one open case at a time).

    A key figure id of another municipality does not exist in this schema: ``not_found``.
    """
    membership = require_staff(acting_user, error=errors.NOT_MUNICIPAL_STAFF).membership
    # Locking the key figure serialises two people opening a case for the same person.
    key_figure = lock(KeyFigure, key_figure_id)
    check_ally_invariants(key_figure)
    open_case = SelectionCase.objects.filter(key_figure=key_figure).exclude(state=CaseState.NOT_SUITABLE)
    existing = open_case.values_list("pk", flat=True).first()
    if existing is not None:
        raise errors.CASE_ALREADY_OPEN(case_id=existing)
    case = SelectionCase.objects.create(key_figure=key_figure, opened_by=acting_user)
    Transition.objects.create(
        case=case,
        from_state="",
        to_state=case.state,
        user=acting_user,
        membership=membership,
        role=membership.role,
        reason=(reason or "").strip(),
    )
    record_action(
        "selection.open_case",
        actor=acting_user,
        obj=case,
        detail={"key_figure_id": key_figure.pk, "to": case.state},
    )
    return case


@transaction.atomic
def do_start_review(case: SelectionCase | int, *, acting_user: User, reason: str = "") -> SelectionCase:
    """Municipality and police start reviewing the key figure together."""
    membership = require_staff(acting_user, error=errors.NOT_MUNICIPAL_STAFF).membership
    case = lock(SelectionCase, case)
    SELECTION_WORKFLOW.check_step(START_REVIEW, case.state)
    check_ally_invariants(lock(KeyFigure, case.key_figure_id))
    return _move(case, START_REVIEW, membership=membership, acting_user=acting_user, reason=reason.strip())


@transaction.atomic
def do_approve_case(case: SelectionCase | int, *, acting_user: User, note: str = "") -> SelectionCase:
    """A yes in the joint review from the acting user's side (their role decides the side).

    The case moves on to the home visit when the municipal side AND the police side said yes:
    one side alone never suffices, the same person cannot approve twice, and a second person of
    an already-approved side cannot stand in for the other side. The row lock makes two
    simultaneous approvals see each other; the unique constraints are the last line.
    """
    membership = require_staff(acting_user, error=errors.NOT_MUNICIPAL_STAFF).membership
    case = lock(SelectionCase, case)
    SELECTION_WORKFLOW.check_step(APPROVE, case.state)
    check_ally_invariants(lock(KeyFigure, case.key_figure_id))
    approvals = list(case.approvals.all())
    if any(approval.user_id == acting_user.pk for approval in approvals):
        raise errors.ALREADY_APPROVED()
    side = ReviewSide(membership.role)
    if any(approval.side == side for approval in approvals):
        raise errors.SIDE_ALREADY_APPROVED(side=side.value)
    Approval.objects.create(
        case=case, side=side, membership=membership, user=acting_user, note=(note or "").strip()
    )
    record_action(
        "selection.approve",
        actor=acting_user,
        obj=case,
        detail={"key_figure_id": case.key_figure_id, "side": side.value},
    )
    if {approval.side for approval in approvals} | {side} == set(ReviewSide.values):
        _move(case, APPROVE, membership=membership, acting_user=acting_user, reason=(note or "").strip())
    return case


@transaction.atomic
def do_reject_case(case: SelectionCase | int, *, acting_user: User, reason: str) -> SelectionCase:
    """A reviewer finds the key figure not suitable (from the nomination or the review)."""
    reason = _require_reason(reason)
    membership = require_staff(acting_user, error=errors.NOT_MUNICIPAL_STAFF).membership
    case = lock(SelectionCase, case)
    return _move(case, REJECT, membership=membership, acting_user=acting_user, reason=reason)


@transaction.atomic
def do_record_home_visit(
    case: SelectionCase | int,
    *,
    acting_user: User,
    visited_on: datetime.date,
    visitor_ids: Collection[int],
    answers: Mapping[str, AssessmentAnswer],
) -> HomeVisit:
    """Record the one-to-one home visit and its assessment (once per case, after both approvals)."""
    require_staff(acting_user, error=errors.NOT_MUNICIPAL_STAFF)
    case = lock(SelectionCase, case)
    SELECTION_WORKFLOW.check_step(RECORD_HOME_VISIT, case.state)
    # The state already implies both approvals; this guards data changed behind the workflow's back.
    if {approval.side for approval in case.approvals.all()} != set(ReviewSide.values):
        raise SELECTION_WORKFLOW.invalid(case.state, RECORD_HOME_VISIT.name)
    if HomeVisit.objects.filter(case=case).exists():
        raise errors.HOME_VISIT_ALREADY_RECORDED()
    if visited_on > timezone.localdate():
        raise errors.VISIT_DATE_IN_FUTURE(fields={"visited_on": [errors.VISIT_DATE_IN_FUTURE().message()]})
    visitors = _staff_visitors(visitor_ids)
    _check_answers(answers)
    visit = HomeVisit.objects.create(
        case=case,
        visited_on=visited_on,
        recorded_by=acting_user,
        **{
            field: value
            for question in ASSESSMENT_QUESTIONS
            for field, value in (
                (f"{question}_answer", answers[question].answer),
                (f"{question}_notes", (answers[question].notes or "").strip()),
            )
        },
    )
    visit.visitors.set(visitors)
    case.save(update_fields=["updated_at"])
    record_action(
        "selection.record_home_visit",
        actor=acting_user,
        obj=case,
        detail={"key_figure_id": case.key_figure_id, "visited_on": visited_on.isoformat()},
    )
    return visit


def _staff_visitors(visitor_ids: Collection[int | str]) -> list[Membership]:
    """The visitors: each an active official or police officer of this municipality (actor core)."""
    lookups = {raw: find_member(roles=STAFF_ROLES, membership_id=raw) for raw in set(visitor_ids)}
    visitors = [found.membership for found in lookups.values() if found.problem is None]
    if not lookups or len(visitors) != len(lookups):
        refused = [parse_id(raw) or raw for raw, found in lookups.items() if found.problem is not None]
        wrong = sorted(refused, key=lambda value: (isinstance(value, str), str(value).zfill(20)))
        raise errors.INVALID_VISITORS(fields={"visitors": wrong or [errors.INVALID_VISITORS().message()]})
    return visitors


def _check_answers(answers: Mapping[str, AssessmentAnswer]) -> None:
    wrong = [
        question
        for question in ASSESSMENT_QUESTIONS
        if question not in answers or answers[question].answer not in Answer.values
    ]
    if wrong:
        raise errors.ASSESSMENT_INCOMPLETE(fields={question: [Answer.values] for question in wrong})


@transaction.atomic
def do_decide_case(
    case: SelectionCase | int, *, acting_user: User, outcome: str, reason: str
) -> SelectionCase:
    """The decision after the home visit: ally, or not suitable. The reason is always kept.

    Ally needs a recorded home visit without a "no" in the assessment, and the hard rules on the
    person; it sets ``KeyFigure.is_ally`` in the same transaction.
    """
    if outcome not in (CaseState.ALLY, CaseState.NOT_SUITABLE):
        raise errors.INVALID_OUTCOME(fields={"outcome": [CaseState.ALLY.value, CaseState.NOT_SUITABLE.value]})
    reason = _require_reason(reason)
    membership = require_staff(acting_user, error=errors.NOT_MUNICIPAL_STAFF).membership
    case = lock(SelectionCase, case)
    if outcome == CaseState.NOT_SUITABLE:
        return _move(case, DECIDE_NOT_SUITABLE, membership=membership, acting_user=acting_user, reason=reason)
    SELECTION_WORKFLOW.check_step(DECIDE_ALLY, case.state)
    check_ally_invariants(lock(KeyFigure, case.key_figure_id))
    visit = HomeVisit.objects.filter(case=case).first()
    if visit is None:
        raise errors.HOME_VISIT_NOT_RECORDED()
    failed = visit.questions_answered(Answer.NO)
    if failed:
        # Lazy: the questions are named in the language the message is rendered in.
        raise errors.ASSESSMENT_FAILED(
            questions=lazy(lambda: ", ".join(str(ASSESSMENT_QUESTIONS[q]) for q in failed), str)()
        )
    _move(case, DECIDE_ALLY, membership=membership, acting_user=acting_user, reason=reason)
    _set_is_ally(case.key_figure_id, True)
    return case


@transaction.atomic
def do_step_down(case: SelectionCase | int, *, acting_user: User, reason: str) -> SelectionCase:
    """An ally steps down; the case and its history stay, ready to be re-activated."""
    reason = _require_reason(reason)
    membership = require_staff(acting_user, error=errors.NOT_MUNICIPAL_STAFF).membership
    case = lock(SelectionCase, case)
    _move(case, STEP_DOWN, membership=membership, acting_user=acting_user, reason=reason)
    _set_is_ally(case.key_figure_id, False)
    return case


@transaction.atomic
def do_reactivate(case: SelectionCase | int, *, acting_user: User, reason: str) -> SelectionCase:
    """A stepped-down ally comes back; the hard rules are checked again (flags may have changed)."""
    reason = _require_reason(reason)
    membership = require_staff(acting_user, error=errors.NOT_MUNICIPAL_STAFF).membership
    case = lock(SelectionCase, case)
    SELECTION_WORKFLOW.check_step(REACTIVATE, case.state)
    check_ally_invariants(lock(KeyFigure, case.key_figure_id))
    _move(case, REACTIVATE, membership=membership, acting_user=acting_user, reason=reason)
    _set_is_ally(case.key_figure_id, True)
    return case
