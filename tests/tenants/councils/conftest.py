"""Fixtures of the council tests: the staff of Utrecht, allies, and a council built by the actions."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from agora.accounts.models import Membership, User
from tenants.councils.actions import do_create_council
from tenants.councils.models import Council
from tenants.networkmap.models import KeyFigure, Neighbourhood
from tests.factories import KeyFigureFactory, NeighbourhoodFactory

_names = itertools.count(1)


@dataclass
class Staff:
    official: User
    police: User
    official2: User
    police2: User
    m_official: Membership
    m_police: Membership
    m_official2: Membership
    m_police2: Membership


@pytest.fixture
def staff(people, in_utrecht) -> Staff:
    """Utrecht's leads (official, police) and deputies (official2, police2)."""
    official = people.official("utrecht")
    police = people.police("utrecht")
    official2 = people.official("utrecht", "2")
    police2 = people.police("utrecht", "2")
    connection.set_tenant(in_utrecht)
    return Staff(
        official,
        police,
        official2,
        police2,
        people.membership(official),
        people.membership(police),
        people.membership(official2),
        people.membership(police2),
    )


def make_key_figure(*, ally: bool = True, user: User | None = None, **fields) -> KeyFigure:
    """A key figure in the current schema; allies are marked as the selection app would."""
    return KeyFigureFactory(ally=ally, user=user, **fields)


@pytest.fixture
def ally_factory(in_utrecht) -> Callable[..., KeyFigure]:
    return make_key_figure


@pytest.fixture
def make_council(staff, in_utrecht) -> Callable[..., Council]:
    """A council created by the action, with ``allies`` (count or key figures) as members."""

    def make(allies: int | list[KeyFigure] = 4, **kwargs) -> Council:
        connection.set_tenant(in_utrecht)
        members = [make_key_figure() for _ in range(allies)] if isinstance(allies, int) else allies
        kwargs.setdefault("name", f"Overleg {next(_names)}")
        kwargs.setdefault("municipal_lead_id", staff.m_official.pk)
        kwargs.setdefault("municipal_deputy_id", staff.m_official2.pk)
        kwargs.setdefault("police_lead_id", staff.m_police.pk)
        kwargs.setdefault("police_deputy_id", staff.m_police2.pk)
        # Started a year ago, so that tests can plan (and hold) meetings in the past.
        kwargs.setdefault("started_on", timezone.localdate() - dt.timedelta(days=365))
        return do_create_council(
            key_figure_ids=[kf.pk for kf in members], acting_user=staff.official, **kwargs
        ).council

    return make


def hold_with_attendance(meeting, acting_user):
    """Record one ally as present (a meeting counts as held only then) and hold the meeting."""
    from tenants.councils import actions

    day = timezone.localtime(meeting.starts_at).date()
    seat = meeting.council.members.filter(joined_on__lte=day).exclude(left_on__lt=day).order_by("pk").first()
    actions.do_record_attendance(meeting, members={seat.pk: True}, acting_user=acting_user)
    return actions.do_hold_meeting(meeting, acting_user=acting_user)


def foreign_id(model, amersfoort, utrecht, **fields) -> int:
    """The id of a row created in Amersfoort that does not exist in Utrecht's schema.

    Schemas are cloned, so their sequences can overlap; creating rows until the id is free in
    Utrecht makes the test about the boundary and not about an accidental id collision.
    """
    for attempt in range(50):
        with tenant_context(amersfoort):
            values = {
                k: (f"{v}{attempt}" if isinstance(v, str) and k == "name" else v) for k, v in fields.items()
            }
            obj = model.objects.create(**values)
        with tenant_context(utrecht):
            if not model.objects.filter(pk=obj.pk).exists():
                connection.set_tenant(utrecht)
                return obj.pk
    raise AssertionError("could not find an id free in Utrecht")


@pytest.fixture
def neighbourhood(in_utrecht) -> Callable[[str], Neighbourhood]:
    def make(name: str) -> Neighbourhood:
        return NeighbourhoodFactory(name=name)

    return make
