"""Signal rules: who raises for whom, the boundary, owners, answers, and the workflow walked fully."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import tenant_context

from agora.audit.models import AuditEvent
from tenants.signals import actions
from tenants.signals.models import Signal, SignalStatusChange
from tenants.signals.workflow import ALLOWED_STATUS_CHANGES, SIGNAL_WORKFLOW, SignalStatus
from tests.helpers import assert_raises_code


def raise_signal(town, *, by=None, ally_id=None, **overrides) -> Signal:
    data = {
        "category": "pest",
        "neighbourhood_id": town.neighbourhood.pk,
        "description": "Ratten bij de containers achter het buurthuis.",
    }
    data.update(overrides)
    return actions.do_raise_signal(**data, ally_id=ally_id, acting_user=by or town.ally_user)


def test_an_ally_raises_a_signal_for_themselves(town):
    signal = raise_signal(town)
    assert signal.ally == town.ally
    assert signal.raised_by == town.ally_user
    assert signal.status == SignalStatus.NEW
    assert signal.awaiting_answer_since == signal.raised_at
    assert list(signal.status_changes.values_list("from_status", "to_status")) == [("", "new")]
    event = AuditEvent.objects.get(action="signal.raised", object_id=str(signal.pk))
    assert event.actor == town.ally_user
    assert event.detail["on_behalf"] is False


def test_staff_raise_on_behalf_of_an_ally_and_both_are_recorded(town):
    signal = raise_signal(town, by=town.police, ally_id=town.ally.pk, category="illegal_dumping")
    assert (signal.ally, signal.raised_by) == (town.ally, town.police)
    assert (
        AuditEvent.objects.get(action="signal.raised", object_id=str(signal.pk)).detail["on_behalf"] is True
    )


@pytest.mark.parametrize(
    ("who", "ally", "code"),
    [
        ("police", None, "signal_ally_required"),
        ("police", "non_ally", "signal_not_an_ally"),
        ("police", "missing", "signal_ally_outside_municipality"),
        ("ally_user", "other_ally", "signal_own_only"),
    ],
)
def test_who_a_signal_is_raised_for(town, who, ally, code):
    ally_id = {None: None, "non_ally": town.non_ally.pk, "other_ally": town.other_ally.pk, "missing": 10**9}[
        ally
    ]
    with assert_raises_code(code):
        raise_signal(town, by=getattr(town, who), ally_id=ally_id)
    assert not Signal.objects.exists()


def test_an_ally_login_without_an_ally_record_cannot_raise(town, people):
    with assert_raises_code("signal_no_ally_record"):
        raise_signal(town, by=people.ally("utrecht", "unlinked"))


def test_strangers_and_other_municipalities_cannot_raise(town, people):
    for user in (people.stranger(), people.official("amersfoort"), people.ally("amersfoort", "a1")):
        with assert_raises_code("permission_denied"):
            raise_signal(town, by=user, ally_id=town.ally.pk)


def test_ids_of_another_municipality_are_refused_by_the_boundary_rule(town, amersfoort_town, people):
    # Amersfoort's ally and neighbourhood: their ids mean nothing (or someone else) in Utrecht.
    Signal.objects.all().delete()
    with assert_raises_code("signal_ally_outside_municipality"):
        raise_signal(town, by=town.official, ally_id=amersfoort_town.ally.pk + 10**6)
    with assert_raises_code("signal_neighbourhood_outside_municipality"):
        raise_signal(town, neighbourhood_id=amersfoort_town.neighbourhood.pk + 10**6)


def test_input_is_validated(town):
    with pytest.raises(ValidationError):
        raise_signal(town, category="graffiti")
    with pytest.raises(ValidationError):
        raise_signal(town, description="   ")


def test_owner_must_be_staff_of_this_municipality(town, people):
    signal = raise_signal(town)
    cases = [
        (people.membership(people.official("amersfoort"), "amersfoort"), "signal_owner_outside_municipality"),
        (people.membership(town.ally_user, "utrecht"), "signal_owner_not_staff"),
    ]
    for membership, code in cases:
        with assert_raises_code(code):
            actions.do_assign_signal_owner(
                signal, owner_membership_id=membership.pk, acting_user=town.official
            )
    with assert_raises_code("signal_owner_outside_municipality"):
        actions.do_assign_signal_owner(signal, owner_membership_id=10**9, acting_user=town.official)
    signal.refresh_from_db()
    assert (signal.status, signal.owner_id) == (SignalStatus.NEW, None)


def test_staff_only_actions_refuse_allies(town, people):
    signal = raise_signal(town)
    police = people.membership(town.police)
    with assert_raises_code("signal_staff_only"):
        actions.do_assign_signal_owner(signal, owner_membership_id=police.pk, acting_user=town.ally_user)
    actions.do_assign_signal_owner(signal, owner_membership_id=police.pk, acting_user=town.official)
    with assert_raises_code("signal_staff_only"):
        actions.do_answer_signal(signal, body="Zelf beantwoord", acting_user=town.ally_user)


def test_the_workflow_walked_fully(town, people):
    """Every allowed transition once, and every disallowed one refused with its code."""
    official = people.membership(town.official)
    police = people.membership(town.police)
    signal = raise_signal(town)
    walked: set[tuple[str, str]] = set()

    def step(expected: str, do) -> None:
        before = Signal.objects.get(pk=signal.pk).status
        do()
        after = Signal.objects.get(pk=signal.pk).status
        assert after == expected
        walked.add((before, after))

    def refuse(do) -> None:
        before = Signal.objects.get(pk=signal.pk).status
        with assert_raises_code("invalid_transition"):
            do()
        assert Signal.objects.get(pk=signal.pk).status == before

    def assign(member):
        def do():
            actions.do_assign_signal_owner(signal, owner_membership_id=member.pk, acting_user=town.official)

        return do

    def answer():
        actions.do_answer_signal(signal, body="We kijken ernaar.", acting_user=town.police)

    def close():
        actions.do_close_signal(signal, acting_user=town.official)

    def reopen():
        actions.do_reopen_signal(signal, acting_user=town.ally_user, note="Nog steeds ratten.")

    # new: only assigning is allowed.
    refuse(answer)
    refuse(close)
    refuse(reopen)
    step(SignalStatus.ASSIGNED, assign(official))  # new -> assigned
    step(SignalStatus.ASSIGNED, assign(police))  # assigned -> assigned (reassign)
    refuse(close)  # never closed without an answer
    refuse(reopen)
    step(SignalStatus.ANSWERED, answer)  # assigned -> answered
    step(SignalStatus.ANSWERED, answer)  # answered -> answered (thread)
    refuse(assign(official))
    step(SignalStatus.ASSIGNED, reopen)  # answered -> assigned (reopen, owner kept)
    step(SignalStatus.ANSWERED, answer)
    step(SignalStatus.CLOSED, close)  # answered -> closed
    refuse(assign(official))
    refuse(answer)
    refuse(close)
    step(SignalStatus.ASSIGNED, reopen)  # closed -> assigned
    step(SignalStatus.ANSWERED, answer)
    # Without an owner (the membership went), reopening goes back to the intake.
    Signal.objects.filter(pk=signal.pk).update(owner=None)
    step(SignalStatus.NEW, reopen)  # answered -> new
    step(SignalStatus.ASSIGNED, assign(official))
    step(SignalStatus.ANSWERED, answer)
    step(SignalStatus.CLOSED, close)
    Signal.objects.filter(pk=signal.pk).update(owner=None)
    step(SignalStatus.NEW, reopen)  # closed -> new

    allowed = {(frm, to) for frm, targets in ALLOWED_STATUS_CHANGES.items() for to in targets}
    assert walked == allowed
    for frm in SignalStatus.values:
        for to in SignalStatus.values:
            assert SIGNAL_WORKFLOW.allowed(frm, to) == ((frm, to) in allowed)

    history = list(SignalStatusChange.objects.filter(signal=signal).values_list("from_status", "to_status"))
    assert history[0] == ("", "new")
    assert all(frm != to for frm, to in history[1:])  # the history records changes only
    assert signal.answers.count() == 5
    assert ("answered", "assigned") in history and ("closed", "new") in history


def test_only_the_ally_reopens(town, people):
    signal = raise_signal(town)
    actions.do_assign_signal_owner(
        signal, owner_membership_id=people.membership(town.police).pk, acting_user=town.official
    )
    actions.do_answer_signal(signal, body="Opgelost.", acting_user=town.police)
    for user in (town.official, town.other_ally_user):
        with assert_raises_code("signal_reopen_by_ally_only"):
            actions.do_reopen_signal(signal, acting_user=user)
    actions.do_reopen_signal(signal, acting_user=town.ally_user)
    signal.refresh_from_db()
    assert signal.status == SignalStatus.ASSIGNED
    assert signal.awaiting_answer_since is not None


def test_a_signal_in_another_schema_stays_there(town, amersfoort, amersfoort_town):
    raise_signal(town)
    with tenant_context(amersfoort):
        assert not Signal.objects.exists()
