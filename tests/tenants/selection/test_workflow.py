"""The state machine: every allowed transition is taken, every other step is refused."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from agora.errors import DomainError
from tenants.networkmap.models import KeyFigure
from tenants.selection import actions
from tenants.selection.models import SelectionCase
from tenants.selection.workflow import ALLOWED_TRANSITIONS, SELECTION_WORKFLOW, STEPS, CaseState
from tests.helpers import assert_raises_code


def _attempts(pipeline) -> dict[str, Callable[[SelectionCase], None]]:
    """Each step, done the way a user would do it (approve: both sides; decide ally: visit first)."""

    def approve(case: SelectionCase) -> None:
        actions.do_approve_case(case, acting_user=pipeline.official)
        # One side alone never moves the case.
        assert SelectionCase.objects.get(pk=case.pk).state == CaseState.JOINT_REVIEW
        actions.do_approve_case(case, acting_user=pipeline.police)

    def decide_ally(case: SelectionCase) -> None:
        if case.state == CaseState.HOME_VISIT:
            pipeline.record_visit(case)
        actions.do_decide_case(case, acting_user=pipeline.official, outcome=CaseState.ALLY, reason="ok")

    return {
        "start_review": lambda case: actions.do_start_review(case, acting_user=pipeline.official),
        "approve": approve,
        "reject": lambda case: actions.do_reject_case(case, acting_user=pipeline.police, reason="no"),
        "record_home_visit": pipeline.record_visit,
        "decide_ally": decide_ally,
        "decide_not_suitable": lambda case: actions.do_decide_case(
            case, acting_user=pipeline.police, outcome=CaseState.NOT_SUITABLE, reason="doubts remain"
        ),
        "step_down": lambda case: actions.do_step_down(case, acting_user=pipeline.official, reason="busy"),
        "reactivate": lambda case: actions.do_reactivate(case, acting_user=pipeline.police, reason="back"),
    }


def test_every_step_from_every_state(pipeline):
    attempts = _attempts(pipeline)
    assert set(attempts) == {step.name for step in STEPS}
    taken: set[tuple[str, str]] = set()
    refused = 0
    for state in CaseState.values:
        for step in STEPS:
            case = pipeline.case_at(state)
            assert case.state == state
            if state in step.sources:
                attempts[step.name](case)
                case.refresh_from_db()
                assert case.state == (step.target or state), (state, step.name)
                if step.target:
                    taken.add((state, case.state))
                    assert case.transitions.last().from_state == state
                    is_ally = KeyFigure.objects.get(pk=case.key_figure_id).is_ally
                    assert is_ally == (case.state == CaseState.ALLY), (state, step.name)
            else:
                history_before = case.transitions.count()
                with assert_raises_code("invalid_transition", status=409):
                    attempts[step.name](case)
                case.refresh_from_db()
                assert case.state == state
                assert case.transitions.count() == history_before
                refused += 1
    allowed = {(source, target) for source, targets in ALLOWED_TRANSITIONS.items() for target in targets}
    assert taken == allowed
    assert refused == len(CaseState.values) * len(STEPS) - sum(len(step.sources) for step in STEPS)


def test_no_transition_outside_the_table():
    for source in CaseState.values:
        for target in CaseState.values:
            assert SELECTION_WORKFLOW.allowed(source, target) == (target in ALLOWED_TRANSITIONS[source])
    # No way back to the start, no way out of "not suitable", no shortcut to ally.
    assert not any(SELECTION_WORKFLOW.allowed(source, CaseState.NOMINATED) for source in CaseState.values)
    assert ALLOWED_TRANSITIONS[CaseState.NOT_SUITABLE] == frozenset()
    assert {source for source in CaseState.values if SELECTION_WORKFLOW.allowed(source, CaseState.ALLY)} == {
        CaseState.HOME_VISIT,
        CaseState.STEPPED_DOWN,
    }


def test_every_state_has_a_dutch_label():
    from django.utils import translation

    with translation.override("nl"):
        labels = {str(label) for label in CaseState.labels}
    assert "bondgenoot" in labels and "niet geschikt" in labels
    assert len(labels) == len(CaseState.values)


def test_invalid_transition_names_the_state_in_each_language_and_keeps_the_value():
    from tenants.selection.workflow import START_REVIEW

    with pytest.raises(DomainError) as refusal:
        SELECTION_WORKFLOW.check_step(START_REVIEW, CaseState.NOT_SUITABLE)
    error = refusal.value
    assert error.code == "invalid_transition" and error.status == 409
    assert error.params["current"] == "not_suitable"
    assert error.message("nl") == "Deze stap is niet toegestaan vanuit de huidige status (niet geschikt)."
    assert error.message("en") == "This step is not allowed from the current state (not suitable)."
    assert "not_suitable" not in error.message("nl")
