"""The hard rules of METHOD.md step 2, each refused with its stable code."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.utils import timezone, translation
from django_tenants.utils import schema_context

from agora.accounts.models import Membership
from agora.errors import DomainError
from tenants.networkmap.models import KeyFigure
from tenants.selection import actions
from tenants.selection.models import Approval, SelectionCase
from tenants.selection.workflow import CaseState
from tests.helpers import assert_raises_code


def _flag(case: SelectionCase, **fields) -> None:
    """Change the key figure behind the workflow's back, as the network map's editors can."""
    KeyFigure.objects.filter(pk=case.key_figure_id).update(**fields)


# --- professional representatives ---------------------------------------------------------------


def test_professional_representative_cannot_be_nominated(pipeline):
    key_figure = pipeline.key_figure(is_professional_representative=True)
    with assert_raises_code("professional_representative") as refusal:
        actions.do_open_case(key_figure.pk, acting_user=pipeline.official)
    error = refusal.value
    assert error.status == 409
    assert "person, not the function" in error.message("en")
    assert "persoon, niet de functie" in error.message("nl")
    assert not SelectionCase.objects.filter(key_figure=key_figure).exists()


@pytest.mark.parametrize(
    ("state", "step"),
    [
        (CaseState.NOMINATED, "start_review"),
        (CaseState.JOINT_REVIEW, "approve"),
        (CaseState.HOME_VISIT, "decide_ally"),
        (CaseState.STEPPED_DOWN, "reactivate"),
    ],
)
@pytest.mark.parametrize(
    ("flags", "code"),
    [
        ({"is_professional_representative": True}, "professional_representative"),
        ({"residence_cbs_code": "GM0307"}, "ally_lives_outside_municipality"),
    ],
)
def test_hard_rules_hold_at_every_promoting_step(pipeline, state, step, flags, code):
    case = pipeline.case_at(state, visited=True)
    _flag(case, **flags)
    calls = {
        "start_review": lambda: actions.do_start_review(case, acting_user=pipeline.police),
        "approve": lambda: actions.do_approve_case(case, acting_user=pipeline.official),
        "decide_ally": lambda: actions.do_decide_case(
            case, acting_user=pipeline.official, outcome=CaseState.ALLY, reason="good"
        ),
        "reactivate": lambda: actions.do_reactivate(case, acting_user=pipeline.official, reason="back"),
    }
    with assert_raises_code(code):
        calls[step]()
    case.refresh_from_db()
    assert case.state == state
    assert not KeyFigure.objects.get(pk=case.key_figure_id).is_ally
    assert not Approval.objects.filter(case=case).exists() or state != CaseState.JOINT_REVIEW


def test_a_flagged_case_can_still_be_closed_as_not_suitable(pipeline):
    case = pipeline.case_at(CaseState.NOMINATED)
    _flag(case, is_professional_representative=True)
    actions.do_reject_case(case, acting_user=pipeline.police, reason="works for a welfare organisation")
    case.refresh_from_db()
    assert case.state == CaseState.NOT_SUITABLE


# --- living in the municipality ------------------------------------------------------------------


def test_lives_elsewhere_is_refused_and_the_message_names_the_rule(pipeline):
    key_figure = pipeline.key_figure(residence_cbs_code="GM0307")
    with assert_raises_code("ally_lives_outside_municipality") as refusal:
        actions.do_open_case(key_figure.pk, acting_user=pipeline.official)
    error = refusal.value
    assert error.status == 409
    english = error.message("en")
    assert "lives in the area they serve" in english
    assert "never crosses the municipal boundary" in english
    assert "Utrecht" in english and "GM0307" in english
    dutch = error.message("nl")
    assert "woont in het gebied" in dutch and "gemeentegrens" in dutch


def test_own_cbs_code_counts_as_living_here(pipeline):
    case = pipeline.case_at(CaseState.ALLY, residence_cbs_code="GM0344")
    assert case.state == CaseState.ALLY
    assert KeyFigure.objects.get(pk=case.key_figure_id).is_ally


# --- no skipping ---------------------------------------------------------------------------------


def test_nominated_cannot_jump_to_ally(pipeline):
    case = pipeline.case_at(CaseState.NOMINATED)
    with assert_raises_code("invalid_transition"):
        actions.do_decide_case(
            case, acting_user=pipeline.official, outcome=CaseState.ALLY, reason="we know her"
        )


def test_review_cannot_skip_the_home_visit(pipeline):
    case = pipeline.case_at(CaseState.JOINT_REVIEW)
    actions.do_approve_case(case, acting_user=pipeline.official)
    with assert_raises_code("invalid_transition"):
        actions.do_decide_case(case, acting_user=pipeline.official, outcome=CaseState.ALLY, reason="approved")


def test_home_visit_needs_both_approvals(pipeline):
    case = pipeline.case_at(CaseState.JOINT_REVIEW)
    actions.do_approve_case(case, acting_user=pipeline.police)
    with assert_raises_code("invalid_transition") as refusal:
        pipeline.record_visit(case)
    error = refusal.value
    assert error.params["current"] == "joint_review"
    assert "(joint review)" in error.message("en") and "(gezamenlijke beoordeling)" in error.message("nl")


def test_home_visit_needs_both_approvals_even_if_the_state_was_forced(pipeline):
    case = pipeline.case_at(CaseState.JOINT_REVIEW)
    actions.do_approve_case(case, acting_user=pipeline.official)
    SelectionCase.objects.filter(pk=case.pk).update(state=CaseState.HOME_VISIT)
    with assert_raises_code("invalid_transition"):
        pipeline.record_visit(case)


def test_ally_needs_a_recorded_home_visit(pipeline):
    case = pipeline.case_at(CaseState.HOME_VISIT)
    with assert_raises_code("home_visit_not_recorded") as refusal:
        actions.do_decide_case(case, acting_user=pipeline.official, outcome=CaseState.ALLY, reason="fine")
    error = refusal.value
    assert error.status == 409
    # Not suitable needs no visit (the person may have declined it).
    actions.do_decide_case(
        case, acting_user=pipeline.official, outcome=CaseState.NOT_SUITABLE, reason="declined the visit"
    )


def test_a_no_in_the_assessment_blocks_ally(pipeline):
    case = pipeline.case_at(CaseState.HOME_VISIT)
    pipeline.record_visit(case, inclusive="no", wants_to_connect="doubt")
    with assert_raises_code("assessment_failed") as refusal:
        actions.do_decide_case(
            case, acting_user=pipeline.official, outcome=CaseState.ALLY, reason="nice person"
        )
    error = refusal.value
    assert "inclusief" in error.message("nl").lower()
    assert not KeyFigure.objects.get(pk=case.key_figure_id).is_ally


def test_doubt_alone_leaves_the_decision_to_the_reviewers(pipeline):
    case = pipeline.case_at(CaseState.HOME_VISIT)
    pipeline.record_visit(case, helps_with_conflicts="doubt")
    actions.do_decide_case(
        case, acting_user=pipeline.official, outcome=CaseState.ALLY, reason="doubt discussed and resolved"
    )
    assert SelectionCase.objects.get(pk=case.pk).state == CaseState.ALLY


def test_home_visit_is_recorded_once(pipeline):
    case = pipeline.case_at(CaseState.HOME_VISIT, visited=True)
    with assert_raises_code("home_visit_already_recorded"):
        pipeline.record_visit(case)


# --- four eyes -----------------------------------------------------------------------------------


def test_official_alone_is_not_enough(pipeline):
    case = pipeline.case_at(CaseState.JOINT_REVIEW)
    actions.do_approve_case(case, acting_user=pipeline.official)
    assert SelectionCase.objects.get(pk=case.pk).state == CaseState.JOINT_REVIEW


def test_police_alone_is_not_enough(pipeline):
    case = pipeline.case_at(CaseState.JOINT_REVIEW)
    actions.do_approve_case(case, acting_user=pipeline.police)
    assert SelectionCase.objects.get(pk=case.pk).state == CaseState.JOINT_REVIEW


def test_same_reviewer_cannot_approve_twice(pipeline):
    case = pipeline.case_at(CaseState.JOINT_REVIEW)
    actions.do_approve_case(case, acting_user=pipeline.official)
    with assert_raises_code("already_approved") as refusal:
        actions.do_approve_case(case, acting_user=pipeline.official)
    error = refusal.value
    assert error.status == 409
    assert Approval.objects.filter(case=case).count() == 1


def test_second_official_does_not_replace_the_police(pipeline):
    case = pipeline.case_at(CaseState.JOINT_REVIEW)
    actions.do_approve_case(case, acting_user=pipeline.official)
    with assert_raises_code("side_already_approved") as refusal:
        actions.do_approve_case(case, acting_user=pipeline.official2)
    error = refusal.value
    assert "official" in error.message("en")
    assert SelectionCase.objects.get(pk=case.pk).state == CaseState.JOINT_REVIEW
    with assert_raises_code("invalid_transition"):
        pipeline.record_visit(case)
    # The police side is still needed, and enough.
    actions.do_approve_case(case, acting_user=pipeline.police2)
    assert SelectionCase.objects.get(pk=case.pk).state == CaseState.HOME_VISIT
    assert sorted(Approval.objects.filter(case=case).values_list("side", flat=True)) == ["official", "police"]


def test_second_police_officer_does_not_replace_the_municipality(pipeline):
    case = pipeline.case_at(CaseState.JOINT_REVIEW)
    actions.do_approve_case(case, acting_user=pipeline.police)
    with assert_raises_code("side_already_approved"):
        actions.do_approve_case(case, acting_user=pipeline.police2)
    assert SelectionCase.objects.get(pk=case.pk).state == CaseState.JOINT_REVIEW


def test_approval_takes_a_row_lock_on_the_case(pipeline):
    from django.test.utils import CaptureQueriesContext

    case = pipeline.case_at(CaseState.JOINT_REVIEW)
    with CaptureQueriesContext(connection) as queries:
        actions.do_approve_case(case, acting_user=pipeline.official)
    locks = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"] and "selection_selectioncase" in q["sql"]]
    assert locks, "the approval must lock the case row"
    first_lock = next(i for i, q in enumerate(queries) if q["sql"] in locks)
    first_approval_read = next(i for i, q in enumerate(queries) if "selection_approval" in q["sql"])
    assert first_lock < first_approval_read, "approvals must be read under the lock"


def test_database_refuses_a_second_approval_of_the_same_side(pipeline):
    """The last line if the service's check were ever bypassed: one approval per side and person."""
    from django.db import IntegrityError, transaction

    case = pipeline.case_at(CaseState.JOINT_REVIEW)
    actions.do_approve_case(case, acting_user=pipeline.official)
    official2 = pipeline.people.membership(pipeline.official2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Approval.objects.create(case=case, side="official", membership=official2, user=pipeline.official2)
    official = pipeline.people.membership(pipeline.official)
    with pytest.raises(IntegrityError), transaction.atomic():
        Approval.objects.create(case=case, side="police", membership=official, user=pipeline.official)


# --- who may act ---------------------------------------------------------------------------------


def test_only_staff_of_this_municipality_may_approve(pipeline, people):
    case = pipeline.case_at(CaseState.JOINT_REVIEW)
    outsiders = [
        people.ally("utrecht"),
        people.official("amersfoort"),
        people.police("amersfoort"),
        people.stranger(),
    ]
    for outsider in outsiders:
        with assert_raises_code("not_municipal_staff") as refusal:
            actions.do_approve_case(case, acting_user=outsider)
        error = refusal.value
        assert error.status == 403
    deactivated = people.police("utrecht", "inactive")
    with schema_context("public"):
        Membership.objects.filter(user=deactivated).update(is_active=False)
    with assert_raises_code("not_municipal_staff"):
        actions.do_approve_case(case, acting_user=deactivated)
    assert not Approval.objects.filter(case=case).exists()


def test_only_staff_may_take_any_step(pipeline, people):
    ally = people.ally("utrecht")
    key_figure = pipeline.key_figure()
    with assert_raises_code("not_municipal_staff"):
        actions.do_open_case(key_figure.pk, acting_user=ally)
    case = pipeline.case_at(CaseState.NOMINATED)
    with assert_raises_code("not_municipal_staff"):
        actions.do_start_review(case, acting_user=ally)
    with assert_raises_code("not_municipal_staff"):
        actions.do_reject_case(case, acting_user=ally, reason="no")


# --- reasons and input ---------------------------------------------------------------------------


@pytest.mark.parametrize("outcome", [CaseState.ALLY, CaseState.NOT_SUITABLE])
def test_a_decision_needs_a_reason(pipeline, outcome):
    case = pipeline.case_at(CaseState.HOME_VISIT, visited=True)
    for blank in ("", "   "):
        with assert_raises_code("reason_required") as refusal:
            actions.do_decide_case(case, acting_user=pipeline.official, outcome=outcome, reason=blank)
        error = refusal.value
        assert error.status == 400
        assert "reason" in error.fields
    assert SelectionCase.objects.get(pk=case.pk).state == CaseState.HOME_VISIT


def test_reject_step_down_and_reactivate_need_a_reason(pipeline):
    with assert_raises_code("reason_required"):
        actions.do_reject_case(
            pipeline.case_at(CaseState.NOMINATED), acting_user=pipeline.official, reason=""
        )
    with assert_raises_code("reason_required"):
        actions.do_step_down(pipeline.case_at(CaseState.ALLY), acting_user=pipeline.official, reason="")
    with assert_raises_code("reason_required"):
        actions.do_reactivate(
            pipeline.case_at(CaseState.STEPPED_DOWN), acting_user=pipeline.official, reason=""
        )


def test_unknown_outcome_is_refused(pipeline):
    case = pipeline.case_at(CaseState.HOME_VISIT, visited=True)
    with assert_raises_code("invalid_outcome"):
        actions.do_decide_case(
            case, acting_user=pipeline.official, outcome=CaseState.STEPPED_DOWN, reason="x"
        )


def test_home_visit_input_is_checked(pipeline, people):
    case = pipeline.case_at(CaseState.HOME_VISIT)

    def visit(**overrides):
        arguments = {
            "acting_user": pipeline.official,
            "visited_on": timezone.localdate(),
            "visitor_ids": pipeline.visitor_ids(),
            "answers": pipeline.answers(),
        } | overrides
        return actions.do_record_home_visit(case, **arguments)

    with assert_raises_code("home_visit_in_future"):
        visit(visited_on=timezone.localdate() + datetime.timedelta(days=1))
    with assert_raises_code("invalid_home_visitors"):
        visit(visitor_ids=[])
    other_municipality = people.membership(people.official("amersfoort"), "amersfoort").pk
    with assert_raises_code("invalid_home_visitors") as refusal:
        visit(visitor_ids=[*pipeline.visitor_ids(), other_municipality])
    error = refusal.value
    assert error.fields["visitors"] == [other_municipality]
    ally = people.membership(people.ally("utrecht")).pk
    with assert_raises_code("invalid_home_visitors"):
        visit(visitor_ids=[ally])
    answers = pipeline.answers()
    del answers["open_to_society"]
    with assert_raises_code("assessment_incomplete") as refusal:
        visit(answers=answers)
    error = refusal.value
    assert set(error.fields) == {"open_to_society"}
    with assert_raises_code("assessment_incomplete"):
        visit(answers=pipeline.answers(inclusive="maybe"))
    # And with everything right it is recorded, with its visitors.
    recorded = visit()
    assert set(recorded.visitors.values_list("pk", flat=True)) == set(pipeline.visitor_ids())


# --- one open case at a time --------------------------------------------------------------------


def test_one_open_case_per_key_figure(pipeline):
    case = pipeline.case_at(CaseState.ALLY)
    with assert_raises_code("selection_case_already_open") as refusal:
        actions.do_open_case(case.key_figure_id, acting_user=pipeline.police)
    error = refusal.value
    assert f"#{case.pk}" in error.message("en")


def test_a_new_case_after_not_suitable(pipeline):
    closed = pipeline.case_at(CaseState.NOT_SUITABLE)
    reopened = actions.do_open_case(closed.key_figure_id, acting_user=pipeline.police)
    assert reopened.pk != closed.pk
    assert reopened.state == CaseState.NOMINATED
    assert SelectionCase.objects.filter(key_figure_id=closed.key_figure_id).count() == 2


def test_unknown_key_figure_is_not_found(pipeline):
    with assert_raises_code("not_found"):
        actions.do_open_case(2**40, acting_user=pipeline.official)


def test_messages_exist_in_both_languages(pipeline):
    from tenants.selection import errors

    specs = [value for value in vars(errors).values() if hasattr(value, "code") and hasattr(value, "nl")]
    assert len(specs) >= 12
    for spec in specs:
        assert spec.en and spec.nl and spec.en != spec.nl, spec.code
    with translation.override("nl"):
        assert "bondgenoot" in errors.PROFESSIONAL_REPRESENTATIVE().message()


def test_the_ally_rules_live_in_one_place(pipeline, utrecht):
    from tenants.selection.rules import check_ally_invariants

    assert check_ally_invariants(KeyFigure(first_name="A", last_name="B")) is None
    assert (
        check_ally_invariants(KeyFigure(first_name="A", last_name="B", residence_cbs_code=utrecht.cbs_code))
        is None
    )
    with pytest.raises(DomainError) as caught:
        check_ally_invariants(KeyFigure(first_name="A", last_name="B", is_professional_representative=True))
    assert caught.value.code == "professional_representative" and caught.value.status == 409
    with pytest.raises(DomainError) as caught:
        check_ally_invariants(KeyFigure(first_name="A", last_name="B", residence_cbs_code="gm0307"))
    assert caught.value.code == "ally_lives_outside_municipality"
    assert not hasattr(actions, "check_can_become_ally")  # the actions use the rule, not a copy
