"""The selection demo: key figures at every stage, made through the actions; safe to run twice."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from django_tenants.utils import tenant_context

from tenants.networkmap.demo import PEOPLE
from tenants.networkmap.models import KeyFigure
from tenants.selection.demo import PLAN, load_demo
from tenants.selection.models import SelectionCase, Transition
from tenants.selection.workflow import CaseState


def _staff(pipeline) -> dict:
    return {
        "official": pipeline.official,
        "police": pipeline.police,
        "official2": pipeline.official2,
        "police2": pipeline.police2,
    }


def _demo_names() -> Iterator[dict[str, str]]:
    """The names of the network map demo's people: the selection demo works on those only."""
    for person in PEOPLE:
        yield {"first_name": person.first_name, "infix": person.infix, "last_name": person.last_name}


def test_demo_puts_key_figures_at_every_stage_and_is_idempotent(pipeline, utrecht):
    names = _demo_names()
    professional = pipeline.key_figure(is_professional_representative=True, **next(names))
    elsewhere = pipeline.key_figure(residence_cbs_code="GM0307", **next(names))
    eligible = [pipeline.key_figure(**next(names)) for _ in range(14)]

    load_demo(utrecht, _staff(pipeline))

    assert not SelectionCase.objects.filter(key_figure__in=[professional, elsewhere]).exists()
    states = Counter(SelectionCase.objects.values_list("state", flat=True))
    assert states[CaseState.ALLY] == 5
    assert states[CaseState.JOINT_REVIEW] == 2
    assert states[CaseState.HOME_VISIT] == 1
    assert states[CaseState.NOT_SUITABLE] == 1
    assert states[CaseState.STEPPED_DOWN] == 1
    assert states[CaseState.NOMINATED] == 2
    # The cases in review have exactly one approval; allies passed both sides and a home visit.
    for case in SelectionCase.objects.filter(state=CaseState.JOINT_REVIEW):
        assert case.approvals.count() == 1
    for case in SelectionCase.objects.filter(state=CaseState.ALLY):
        assert case.approvals.count() == 2 and case.home_visit.visitors.count() == 2
    allies = set(KeyFigure.objects.filter(is_ally=True).values_list("pk", flat=True))
    assert allies == set(
        SelectionCase.objects.filter(state=CaseState.ALLY).values_list("key_figure", flat=True)
    )
    # Key figures beyond the plan are left to nominate; no logins are made for allies.
    assert SelectionCase.objects.count() == len(PLAN)
    assert not KeyFigure.objects.filter(pk__in=[kf.pk for kf in eligible], user__isnull=False).exists()

    transitions = Transition.objects.count()
    load_demo(utrecht, _staff(pipeline))
    assert Transition.objects.count() == transitions
    assert Counter(SelectionCase.objects.values_list("state", flat=True)) == states


def test_a_restart_opens_no_case_for_people_staff_entered(pipeline, utrecht):
    """Leusden's map demo has fewer eligible people than the plan has stages: the plan stays short."""
    names = _demo_names()
    demo_people = [pipeline.key_figure(**next(names)) for _ in range(len(PLAN) - 1)]
    load_demo(utrecht, _staff(pipeline))
    entered = pipeline.key_figure(first_name="Echte", last_name="Persoon")  # by staff, after the demo

    load_demo(utrecht, _staff(pipeline))  # the restart

    assert not SelectionCase.objects.filter(key_figure=entered).exists()
    assert set(SelectionCase.objects.values_list("key_figure", flat=True)) == {kf.pk for kf in demo_people}


def test_demo_after_the_network_map_demo(pipeline, utrecht):
    """As the platform demo runs it: the network map's key figures first, then the selection."""
    from tenants.networkmap.demo import load_demo as load_networkmap_demo

    staff = _staff(pipeline)
    with tenant_context(utrecht):
        load_networkmap_demo(utrecht, staff)
        load_demo(utrecht, staff)
        states = Counter(SelectionCase.objects.values_list("state", flat=True))
        assert 4 <= states[CaseState.ALLY] <= 6
        assert states[CaseState.STEPPED_DOWN] == 1
        assert states[CaseState.NOT_SUITABLE] == 1
        assert states[CaseState.HOME_VISIT] == 1
        assert states[CaseState.JOINT_REVIEW] >= 1
        assert states[CaseState.NOMINATED] >= 1
        assert not SelectionCase.objects.filter(key_figure__is_professional_representative=True).exists()
        assert not SelectionCase.objects.exclude(key_figure__residence_cbs_code__in=["", "GM0344"]).exists()
