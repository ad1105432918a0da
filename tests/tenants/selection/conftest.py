"""Fixtures of the selection tests: staff of Utrecht, key figures, and cases at any stage.

``pipeline.case_at(state)`` drives a fresh key figure to ``state`` through the real actions, so
every test starts from a case that got where it is the only way a case can.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from tenants.networkmap.models import KeyFigure
from tenants.selection import actions
from tenants.selection.models import ASSESSMENT_QUESTIONS, Answer, SelectionCase
from tenants.selection.workflow import CaseState
from tests.conftest import People
from tests.factories import KeyFigureFactory


class Pipeline:
    """Utrecht's staff (two officials, two police officers) and helpers to build cases."""

    def __init__(self, people: People) -> None:
        self.people = people
        self.official = people.official("utrecht")
        self.police = people.police("utrecht")
        self.official2 = people.official("utrecht", "2")
        self.police2 = people.police("utrecht", "2")
        self._n = 0

    def key_figure(self, **fields: Any) -> KeyFigure:
        self._n += 1
        fields.setdefault("first_name", f"Sleutel{self._n}")
        fields.setdefault("last_name", "Figuur")
        fields.setdefault("mobile", "")
        return KeyFigureFactory(**fields)

    def answers(self, **overrides: str) -> dict[str, actions.AssessmentAnswer]:
        return {
            question: actions.AssessmentAnswer(overrides.get(question, Answer.YES), f"notes on {question}")
            for question in ASSESSMENT_QUESTIONS
        }

    def visitor_ids(self) -> list[int]:
        return [self.people.membership(self.official).pk, self.people.membership(self.police).pk]

    def record_visit(self, case: SelectionCase, **answer_overrides: str):
        return actions.do_record_home_visit(
            case,
            acting_user=self.official,
            visited_on=timezone.localdate() - datetime.timedelta(days=3),
            visitor_ids=self.visitor_ids(),
            answers=self.answers(**answer_overrides),
        )

    def case_at(self, state: str, *, visited: bool = False, **key_figure_fields: Any) -> SelectionCase:
        """A new key figure's case, brought to ``state`` (with a recorded visit if ``visited``)."""
        key_figure = self.key_figure(**key_figure_fields)
        case = actions.do_open_case(key_figure.pk, acting_user=self.official)
        if state == CaseState.NOMINATED:
            return case
        actions.do_start_review(case, acting_user=self.police)
        if state == CaseState.NOT_SUITABLE:
            actions.do_reject_case(case, acting_user=self.police, reason="not inclusive")
            return self._fresh(case)
        if state == CaseState.JOINT_REVIEW:
            return self._fresh(case)
        actions.do_approve_case(case, acting_user=self.official)
        actions.do_approve_case(case, acting_user=self.police)
        if state == CaseState.HOME_VISIT:
            if visited:
                self.record_visit(case)
            return self._fresh(case)
        self.record_visit(case)
        actions.do_decide_case(case, acting_user=self.official2, outcome=CaseState.ALLY, reason="all yes")
        if state == CaseState.STEPPED_DOWN:
            actions.do_step_down(case, acting_user=self.police2, reason="moving away")
        return self._fresh(case)

    @staticmethod
    def _fresh(case: SelectionCase) -> SelectionCase:
        return SelectionCase.objects.get(pk=case.pk)


@pytest.fixture
def pipeline(people, in_utrecht) -> Pipeline:
    return Pipeline(people)
