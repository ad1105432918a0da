"""The states of a selection case and the only ways to move between them.

METHOD.md step 2: "be very strict in selection; no shortcut to ally". A key figure is nominated,
reviewed jointly (a yes from the municipal side AND the police side), visited at home, and only
then decided on. Allies can step down and come back; the history of a case is never rewritten.

English value constants, Dutch labels via gettext. ``ALLOWED_TRANSITIONS`` is the whole state
machine; ``STEPS`` names the action that takes each transition, so that an action cannot take a
transition that merely happens to be allowed from the current state (re-activating a case that is
at the home visit would otherwise "allow" home_visit → ally). The actions check both inside a
``select_for_update`` lock on the case row.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from agora.errors import INVALID_TRANSITION, DomainError


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


def _language(language: str | None = None) -> str:
    """ "en" or "nl": English when asked for, Dutch otherwise (as ``agora.errors`` does)."""
    return "en" if (language or translation.get_language() or "nl")[:2] == "en" else "nl"


def state_label(state: str, language: str | None = None) -> str:
    """The state's name in ``language`` (default: the active one); an unknown state as it is."""
    return STATE_LABELS.get(state, {}).get(_language(language), str(state))


class _InvalidStep(DomainError):
    """``invalid_transition`` (409) naming the current state in the message's own language.

    ``params["current"]`` stays the state's value (machine-readable); only the rendered message
    says "huisbezoek" in Dutch and "home visit" in English instead of the raw ``home_visit``.
    """

    def message(self, language: str | None = None) -> str:
        language = _language(language)
        current = self.params.get("current", "")
        params = {**self.params, "current": state_label(current, language)}
        return DomainError(self.spec, fields=self.fields, params=params).message(language)


def invalid_transition(current: str, step: str) -> DomainError:
    return _InvalidStep(INVALID_TRANSITION, fields={}, params={"current": str(current), "step": step})


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


@dataclass(frozen=True)
class Step:
    """One action of the pipeline: the states it may start from and the state it leads to.

    ``target`` is None for a step that records something without moving the case.
    """

    name: str
    sources: frozenset[str]
    target: str | None


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


def transition_allowed(current: str, new: str) -> bool:
    return new in ALLOWED_TRANSITIONS.get(current, frozenset())


def check_step(step: Step, current: str) -> None:
    """Refuse ``step`` from ``current`` with ``invalid_transition`` (409)."""
    moves_away = step.target is not None
    if current not in step.sources or (moves_away and not transition_allowed(current, step.target)):
        raise invalid_transition(current, step.name)


def _steps_cover_exactly_the_allowed_transitions() -> None:
    """The two tables must agree; a mismatch is a programming error caught at import."""
    by_steps = {(source, step.target) for step in STEPS if step.target for source in step.sources}
    allowed = {(source, target) for source, targets in ALLOWED_TRANSITIONS.items() for target in targets}
    if by_steps != allowed:
        raise AssertionError(f"steps and allowed transitions disagree: {by_steps ^ allowed}")


_steps_cover_exactly_the_allowed_transitions()
