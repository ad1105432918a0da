"""Every declared workflow, walked: the one test for all of them (issue 7, "one workflow helper").

``registered_workflows()`` imports each tenant app's ``workflow`` module, so an app that declares
a new :class:`agora.workflow.Workflow` is walked here without anyone editing this file. For each
table: every allowed transition passes ``check``, every other pair of states is refused with the
shared ``invalid_transition`` (409), the refusals are counted (the test cannot pass on an empty
loop), and every state has an English and a Dutch label that the refusal's message uses.
"""

from __future__ import annotations

import pytest

from agora.workflow import Workflow, registered_workflows
from tests.helpers import assert_raises_code

WORKFLOWS = registered_workflows()


def test_the_apps_declare_their_workflows():
    assert {"signal", "selection_case"} <= set(WORKFLOWS), sorted(WORKFLOWS)


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_every_transition_of_the_table(name: str):
    workflow: Workflow = WORKFLOWS[name]
    states = sorted(workflow.states)
    assert states, name
    accepted = refused = 0
    for current in states:
        for new in states:
            if new in workflow.transitions[current]:
                workflow.check(current, new)  # allowed: no error
                accepted += 1
                continue
            with assert_raises_code("invalid_transition", status=409) as refusal:
                workflow.check(current, new)
            assert refusal.value.params["current"] == current  # the value stays machine-readable
            for language in ("en", "nl"):
                assert workflow.label(current, language) in refusal.value.message(language)
            refused += 1
    allowed = sum(len(targets) for targets in workflow.transitions.values())
    assert accepted == allowed, name
    assert refused == len(states) ** 2 - allowed, name
    assert refused > 0, f"{name}: a table that allows everything guards nothing"


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_every_state_is_named_in_english_and_dutch(name: str):
    workflow = WORKFLOWS[name]
    for state in workflow.states:
        english, dutch = workflow.label(state, "en"), workflow.label(state, "nl")
        assert english.strip() and dutch.strip(), (name, state)
        assert set(workflow.labels[state]) == {"en", "nl"}, (name, state)


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_every_step_starts_and_ends_inside_the_table(name: str):
    """A named step is refused from any state outside its sources, and allowed from each source."""
    workflow = WORKFLOWS[name]
    refused = 0
    for step in workflow.steps:
        for current in sorted(workflow.states):
            if current in step.sources:
                workflow.check_step(step, current)
                continue
            with assert_raises_code("invalid_transition", status=409):
                workflow.check_step(step, current)
            refused += 1
    if workflow.steps:
        assert refused > 0, name
