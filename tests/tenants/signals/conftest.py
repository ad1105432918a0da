"""Fixtures of the signals tests: a neighbourhood, allies with logins, a council, in Utrecht."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django_tenants.utils import tenant_context

from tenants.councils.models import Council
from tenants.networkmap.models import KeyFigure, Neighbourhood
from tests.factories import CouncilFactory, CouncilMemberFactory, KeyFigureFactory, NeighbourhoodFactory


def make_key_figure(first_name: str, *, user=None, ally: bool = True, neighbourhood=None) -> KeyFigure:
    """A key figure in the current schema; ally status and login set as the selection would."""
    return KeyFigureFactory(
        first_name=first_name, last_name="Test", mobile="", neighbourhood=neighbourhood, ally=ally, user=user
    )


@dataclass
class Town:
    """One municipality's cast for signals: staff, two allies, a non-ally, a neighbourhood."""

    official: object
    police: object
    ally_user: object
    other_ally_user: object
    neighbourhood: Neighbourhood
    ally: KeyFigure
    other_ally: KeyFigure
    non_ally: KeyFigure


def build_town(people, slug: str) -> Town:
    neighbourhood = NeighbourhoodFactory(name=f"Wijk {slug}")
    ally_user = people.ally(slug, "a1")
    other_ally_user = people.ally(slug, "a2")
    return Town(
        official=people.official(slug),
        police=people.police(slug),
        ally_user=ally_user,
        other_ally_user=other_ally_user,
        neighbourhood=neighbourhood,
        ally=make_key_figure("Fatima", user=ally_user, neighbourhood=neighbourhood),
        other_ally=make_key_figure("Jan", user=other_ally_user, neighbourhood=neighbourhood),
        non_ally=make_key_figure("Piet", ally=False, neighbourhood=neighbourhood),
    )


@pytest.fixture
def town(in_utrecht, people) -> Town:
    """Utrecht's cast; the test body runs in Utrecht's schema."""
    return build_town(people, "utrecht")


@pytest.fixture
def amersfoort_town(utrecht, amersfoort, people):
    """Amersfoort's cast, built in its own schema; the connection goes back to where it was."""
    with tenant_context(amersfoort):
        return build_town(people, "amersfoort")


def make_council(people, members: list[KeyFigure], slug: str = "utrecht") -> Council:
    """A council in the current schema with the given allies seated (leads from ``people``)."""
    council = CouncilFactory(
        name=f"Bondgenotenoverleg {slug}",
        municipal_lead=people.membership(people.official(slug), slug),
        police_lead=people.membership(people.police(slug), slug),
        started_on=dt.date(2026, 1, 1),
    )
    for figure in members:
        CouncilMemberFactory(council=council, key_figure=figure, joined_on=dt.date(2026, 1, 1))
    return council
