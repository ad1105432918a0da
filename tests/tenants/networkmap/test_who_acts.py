"""Every write action of the network map checks who acts itself, not only the API's permission classes.

Called directly (as the admin, a web form, a socket consumer or the nominations import would), each
action refuses an ally, a logged-in user who is nobody's member, an official of another
municipality, a deactivated official and an anonymous user with ``permission_denied`` (403), and
writes nothing. Staff (an official, a police officer) may; ``acting_user=None`` is the platform.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from agora.accounts.models import Membership
from agora.audit.models import AuditEvent
from tenants.networkmap import actions
from tenants.networkmap.models import CommunityKind, ContactMoment, KeyFigure, Neighbourhood
from tests.helpers import OUTSIDERS, assert_raises_code
from tests.tenants.networkmap.conftest import UtrechtMap


@dataclass
class Targets:
    """The known map, plus an empty neighbourhood (deletable) and an ally login (linkable)."""

    map: UtrechtMap
    empty: Neighbourhood
    ally_login: Any
    official_membership: Membership


@pytest.fixture
def targets(utrecht_map, people) -> Targets:
    return Targets(
        map=utrecht_map,
        empty=actions.do_create_neighbourhood({"name": "Leeg"}, acting_user=utrecht_map.official),
        ally_login=people.ally("utrecht", "login"),
        official_membership=people.membership(utrecht_map.official),
    )


# name -> how to call the action on the known map as ``user``.
ACTIONS: dict[str, Callable[[Targets, Any], Any]] = {
    "do_create_city_district": lambda t, user: actions.do_create_city_district(
        {"name": "Zuid"}, acting_user=user
    ),
    "do_update_city_district": lambda t, user: actions.do_update_city_district(
        t.map.district, {"name": "Zuid"}, acting_user=user
    ),
    "do_delete_city_district": lambda t, user: actions.do_delete_city_district(
        t.map.district, acting_user=user
    ),
    "do_create_community": lambda t, user: actions.do_create_community(
        {"kind": CommunityKind.GROUP, "name": "Ouderen"}, acting_user=user
    ),
    "do_update_community": lambda t, user: actions.do_update_community(
        t.map.eritrees, {"name": "Eritrese gemeenschap"}, acting_user=user
    ),
    "do_delete_community": lambda t, user: actions.do_delete_community(t.map.eritrees, acting_user=user),
    "do_create_neighbourhood": lambda t, user: actions.do_create_neighbourhood(
        {"name": "Leidsche Rijn"}, acting_user=user
    ),
    "do_update_neighbourhood": lambda t, user: actions.do_update_neighbourhood(
        t.map.oost, {"name": "Utrecht-Oost"}, acting_user=user
    ),
    "do_delete_neighbourhood": lambda t, user: actions.do_delete_neighbourhood(t.empty, acting_user=user),
    "do_create_key_figure": lambda t, user: actions.do_create_key_figure(
        {"first_name": "Anna", "last_name": "Jansen"}, acting_user=user
    ),
    "do_create_key_figures": lambda t, user: actions.do_create_key_figures(
        [actions.prepare_key_figure({"first_name": "Anna", "last_name": "Jansen"})], acting_user=user
    ),
    "do_update_key_figure": lambda t, user: actions.do_update_key_figure(
        t.map.fatima, {"represents": "Moedergroep"}, acting_user=user
    ),
    "do_record_contact": lambda t, user: actions.do_record_contact(
        t.map.fatima, acting_user=user, membership=t.official_membership
    ),
    "do_link_key_figure_user": lambda t, user: actions.do_link_key_figure_user(
        t.map.youssef.pk, t.ally_login.pk, acting_user=user
    ),
}

WHO = OUTSIDERS


def _state() -> tuple:
    """What the actions could change: the audit trail and the map's rows (with their names)."""
    return (
        AuditEvent.objects.count(),
        ContactMoment.objects.count(),
        sorted(KeyFigure.objects.values_list("pk", "represents", "user_id")),
    )


@pytest.mark.parametrize("who", sorted(WHO))
@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_each_write_action_refuses_anyone_but_staff(targets, people, name, who):
    user = WHO[who](people)
    before = _state()

    with assert_raises_code("permission_denied", status=403):
        ACTIONS[name](targets, user)

    assert _state() == before


@pytest.mark.parametrize("staff", ["official", "police"])
@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_each_write_action_lets_staff_act(targets, people, name, staff):
    """The other half of the check: the same call by staff of this municipality goes through."""
    before = AuditEvent.objects.count()
    ACTIONS[name](targets, getattr(people, staff)("utrecht"))
    assert AuditEvent.objects.count() == before + 1


def test_the_platform_itself_may_act(utrecht_map):
    """``acting_user=None``: a management command run by an operator (no request ever passes None)."""
    figure = actions.do_create_key_figure({"first_name": "Anna", "last_name": "Jansen"}, acting_user=None)
    assert figure.pk and AuditEvent.objects.filter(action="networkmap.key_figure.created").exists()


def test_every_write_action_is_covered():
    """A new ``do_`` action of the map must be added to ACTIONS (and so be checked here)."""
    declared = {name for name in dir(actions) if name.startswith("do_") and callable(getattr(actions, name))}
    assert declared == set(ACTIONS)
