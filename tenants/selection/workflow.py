"""The states of a selection case and the only ways to move between them.

METHOD.md step 2: "be very strict in selection; no shortcut to ally". A key figure is nominated,
reviewed jointly (a yes from the municipal side AND the police side), visited at home, and only
then decided on. Allies can step down and come back; the history of a case is never rewritten.

English value constants, Dutch labels via gettext. ``ALLOWED_TRANSITIONS`` is the whole state
machine; ``STEPS`` names the action that takes each transition, so that an action cannot take a
transition that merely happens to be allowed from the current state (re-activating a case that is
at the home visit would otherwise "allow" home_visit → ally). ``SELECTION_WORKFLOW`` (an
:class:`agora.workflow.Workflow`, which checks at import that the two tables agree) holds both;
the actions take their step with ``SELECTION_WORKFLOW.move`` on a case row they locked with
``agora.workflow.lock``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from agora.workflow import Step, Workflow


class CaseState(models.TextChoices):
    NOMINATED = "nominated", _("voorgedragen")
    JOINT_REVIEW = "joint_review", _("gezamenlijke beoordeling")
    HOME_VISIT = "home_visit", _("huisbezoek")
    ALLY = "ally", _("bondgenoot")
    NOT_SUITABLE = "not_suitable", _("niet geschikt")
    STEPPED_DOWN = "stepped_down", _("teruggetreden")


# The states' names in both languages (the choices' labels above are Dutch only, for the admin;
# there are no compiled translations). Used where a message or the API names a state.
STATE_LABELS: dict[str, dict[str, str]] = {
    CaseState.NOMINATED: {"en": "nominated", "nl": "voorgedragen"},
    CaseState.JOINT_REVIEW: {"en": "joint review", "nl": "gezamenlijke beoordeling"},
    CaseState.HOME_VISIT: {"en": "home visit", "nl": "huisbezoek"},
    CaseState.ALLY: {"en": "ally", "nl": "bondgenoot"},
    CaseState.NOT_SUITABLE: {"en": "not suitable", "nl": "niet geschikt"},
    CaseState.STEPPED_DOWN: {"en": "stepped down", "nl": "teruggetreden"},
}


ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    CaseState.NOMINATED: frozenset({CaseState.JOINT_REVIEW, CaseState.NOT_SUITABLE}),
    # To the home visit only when both sides approved (checked by the approve action).
    CaseState.JOINT_REVIEW: frozenset({CaseState.HOME_VISIT, CaseState.NOT_SUITABLE}),
    # To ally only with a recorded home visit (checked by the decide action).
    CaseState.HOME_VISIT: frozenset({CaseState.ALLY, CaseState.NOT_SUITABLE}),
    CaseState.ALLY: frozenset({CaseState.STEPPED_DOWN}),
    CaseState.STEPPED_DOWN: frozenset({CaseState.ALLY}),
    # Final: a later nomination opens a new case, so the old reasons stay as they were.
    CaseState.NOT_SUITABLE: frozenset(),
}

# A key figure has at most one case that is not closed; these states close a case.
CLOSED_STATES: frozenset[str] = frozenset({CaseState.NOT_SUITABLE})


START_REVIEW = Step("start_review", frozenset({CaseState.NOMINATED}), CaseState.JOINT_REVIEW)
APPROVE = Step("approve", frozenset({CaseState.JOINT_REVIEW}), CaseState.HOME_VISIT)
REJECT = Step("reject", frozenset({CaseState.NOMINATED, CaseState.JOINT_REVIEW}), CaseState.NOT_SUITABLE)
RECORD_HOME_VISIT = Step("record_home_visit", frozenset({CaseState.HOME_VISIT}), None)
DECIDE_ALLY = Step("decide_ally", frozenset({CaseState.HOME_VISIT}), CaseState.ALLY)
DECIDE_NOT_SUITABLE = Step("decide_not_suitable", frozenset({CaseState.HOME_VISIT}), CaseState.NOT_SUITABLE)
STEP_DOWN = Step("step_down", frozenset({CaseState.ALLY}), CaseState.STEPPED_DOWN)
REACTIVATE = Step("reactivate", frozenset({CaseState.STEPPED_DOWN}), CaseState.ALLY)

STEPS: tuple[Step, ...] = (
    START_REVIEW,
    APPROVE,
    REJECT,
    RECORD_HOME_VISIT,
    DECIDE_ALLY,
    DECIDE_NOT_SUITABLE,
    STEP_DOWN,
    REACTIVATE,
)


SELECTION_WORKFLOW = Workflow(
    "selection_case",
    labels=STATE_LABELS,
    transitions=ALLOWED_TRANSITIONS,
    steps=STEPS,
    field_name="state",
)
