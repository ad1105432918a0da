"""History and audit: every transition kept (from, to, who, when, why), append-only; is_ally follows."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from agora.audit.models import AuditEvent
from tenants.networkmap.models import KeyFigure
from tenants.selection import actions
from tenants.selection.models import AppendOnlyError, Approval, SelectionCase, Transition
from tenants.selection.workflow import CaseState
from tests.helpers import assert_raises_code


def test_the_whole_road_is_recorded(pipeline, people):
    case = pipeline.case_at(CaseState.STEPPED_DOWN)
    actions.do_reactivate(case, acting_user=pipeline.official2, reason="back from abroad")
    rows = list(case.transitions.order_by("created_at", "id"))
    assert [(row.from_state, row.to_state) for row in rows] == [
        ("", CaseState.NOMINATED),
        (CaseState.NOMINATED, CaseState.JOINT_REVIEW),
        (CaseState.JOINT_REVIEW, CaseState.HOME_VISIT),
        (CaseState.HOME_VISIT, CaseState.ALLY),
        (CaseState.ALLY, CaseState.STEPPED_DOWN),
        (CaseState.STEPPED_DOWN, CaseState.ALLY),
    ]
    # Who: the user and their membership (and role at the time) in this municipality.
    assert [row.user for row in rows] == [
        pipeline.official,
        pipeline.police,
        pipeline.police,  # the second approval moved the case
        pipeline.official2,
        pipeline.police2,
        pipeline.official2,
    ]
    for row in rows:
        assert row.membership == people.membership(row.user)
        assert row.role == row.membership.role
        assert row.created_at is not None
    # Why: the reasons as given.
    assert rows[3].reason == "all yes"
    assert rows[4].reason == "moving away"
    assert rows[5].reason == "back from abroad"


def test_step_down_and_reactivate_flip_is_ally_and_keep_history(pipeline):
    case = pipeline.case_at(CaseState.ALLY)
    key_figure = KeyFigure.objects.get(pk=case.key_figure_id)
    assert key_figure.is_ally
    actions.do_step_down(case, acting_user=pipeline.police, reason="needs a break")
    assert not KeyFigure.objects.get(pk=key_figure.pk).is_ally
    assert SelectionCase.objects.get(pk=case.pk).state == CaseState.STEPPED_DOWN
    actions.do_reactivate(case, acting_user=pipeline.police, reason="ready again")
    assert KeyFigure.objects.get(pk=key_figure.pk).is_ally
    case.refresh_from_db()
    assert case.state == CaseState.ALLY
    assert case.transitions.filter(to_state=CaseState.ALLY).count() == 2
    # The same case throughout: the approvals and the home visit of the selection stay with it.
    assert case.approvals.count() == 2
    assert case.home_visit.inclusive_answer == "yes"


def test_not_suitable_never_sets_is_ally(pipeline):
    for case in (pipeline.case_at(CaseState.NOT_SUITABLE), pipeline.case_at(CaseState.HOME_VISIT)):
        if case.state == CaseState.HOME_VISIT:
            actions.do_decide_case(
                case, acting_user=pipeline.official, outcome=CaseState.NOT_SUITABLE, reason="only own group"
            )
        assert not KeyFigure.objects.get(pk=case.key_figure_id).is_ally
        assert case.transitions.last().reason


def test_each_action_writes_an_audit_row_in_this_municipality(pipeline, utrecht):
    case = pipeline.case_at(CaseState.STEPPED_DOWN)
    with schema_context("public"):
        events = AuditEvent.objects.filter(object_type="selection.SelectionCase", object_id=str(case.pk))
        assert {event.municipality_id for event in events} == {utrecht.pk}
        assert sorted(events.values_list("action", flat=True)) == sorted(
            [
                "selection.open_case",
                "selection.start_review",
                "selection.approve",
                "selection.approve",
                "selection.approve",  # the state change that the second approval made
                "selection.record_home_visit",
                "selection.decide_ally",
                "selection.step_down",
            ]
        )
        decided = events.get(action="selection.decide_ally")
        assert decided.actor == pipeline.official2
        assert decided.detail == {
            "key_figure_id": case.key_figure_id,
            "from": CaseState.HOME_VISIT,
            "to": CaseState.ALLY,
        }


def test_a_refused_step_leaves_no_trace(pipeline):
    case = pipeline.case_at(CaseState.NOMINATED)
    transitions_before = Transition.objects.count()
    with schema_context("public"):
        audit_before = AuditEvent.objects.count()
    with assert_raises_code("invalid_transition"):
        actions.do_step_down(case, acting_user=pipeline.official, reason="x")
    assert Transition.objects.count() == transitions_before
    with schema_context("public"):
        assert AuditEvent.objects.count() == audit_before


def test_history_rows_cannot_be_changed_or_deleted(pipeline):
    case = pipeline.case_at(CaseState.HOME_VISIT, visited=True)
    row = case.transitions.first()
    row.reason = "rewritten"
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()
    approval = Approval.objects.filter(case=case).first()
    with pytest.raises(AppendOnlyError):
        approval.delete()
    visit = case.home_visit
    visit.inclusive_answer = "no"
    with pytest.raises(AppendOnlyError):
        visit.save()
    assert Transition.objects.get(pk=row.pk).reason == ""


def test_deciding_and_stepping_down_refresh_the_acting_allys_cached_identity(pipeline, people):
    """``is_ally`` changes by queryset update (no model signal): the action drops cached actors.

    Inside one request (one actor cache) the new ally's key figure is part of their identity at
    once, and gone again the moment they step down.
    """
    from agora.accounts.actors import actor_cache, current_actor

    login = people.ally("utrecht", "new")
    case = pipeline.case_at(CaseState.HOME_VISIT, visited=True, user=login)
    with actor_cache():
        assert current_actor(login).ally_key_figure_ids == frozenset()
        actions.do_decide_case(case, acting_user=pipeline.official2, outcome=CaseState.ALLY, reason="yes")
        assert current_actor(login).ally_key_figure_ids == frozenset({case.key_figure_id})
        actions.do_step_down(case, acting_user=pipeline.police2, reason="moving away")
        assert current_actor(login).ally_key_figure_ids == frozenset()
