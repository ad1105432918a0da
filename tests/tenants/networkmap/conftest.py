"""Fixtures of the network map tests: a small, known map in Utrecht built through the actions."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from agora.accounts.models import User
from tenants.networkmap import actions
from tenants.networkmap.models import CityDistrict, Community, CommunityKind, KeyFigure, Neighbourhood


@dataclass
class UtrechtMap:
    """The known map (see ``utrecht_map``)."""

    official: User
    police: User
    district: CityDistrict
    overvecht: Neighbourhood
    oost: Neighbourhood
    marokkaans: Community
    joods: Community
    jongeren: Community
    eritrees: Community
    youssef: KeyFigure
    fatima: KeyFigure
    david: KeyFigure
    elsewhere: KeyFigure


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


@pytest.fixture
def utrecht_map(in_utrecht, people) -> UtrechtMap:
    """Overvecht (district Noord, police + official) and Oost (no staff); four communities.

    - Marokkaans: Youssef (ally, contact 10 days ago) and Fatima (never contacted) in Overvecht
    - Joods: David only (contact 400 days ago) in Oost: a single point of failure, stale, no ally
    - Jongeren: Youssef (ally) only: a single point of failure, but with an ally
    - Eritrees: nobody
    - Ibrahim lives in another municipality (no neighbourhood, no community), contact 45 days ago
    """
    official, police = people.official("utrecht"), people.police("utrecht")
    district = actions.do_create_city_district({"name": "Noord"}, acting_user=official)
    overvecht = actions.do_create_neighbourhood(
        {
            "name": "Overvecht",
            "cbs_code": "WK034403",
            "city_district": district,
            "police_officers": [people.membership(police)],
            "municipal_contact": people.membership(official),
        },
        acting_user=official,
    )
    oost = actions.do_create_neighbourhood({"name": "Oost"}, acting_user=official)
    community = {
        name: actions.do_create_community({"kind": kind, "name": name}, acting_user=official)
        for kind, name in (
            (CommunityKind.ORIGIN, "Marokkaans"),
            (CommunityKind.RELIGIOUS, "Joods"),
            (CommunityKind.GROUP, "Jongeren"),
            (CommunityKind.ORIGIN, "Eritrees"),
        )
    }
    youssef = actions.do_create_key_figure(
        {
            "first_name": "Youssef",
            "last_name": "El Amrani",
            "mobile": "06-12345678",
            "email": "youssef@example.org",
            "neighbourhood": overvecht,
            "communities": [community["Marokkaans"], community["Jongeren"]],
            "nominated_by_municipality": True,
            "nominated_by_police": True,
        },
        acting_user=official,
    )
    KeyFigure.objects.filter(pk=youssef.pk).update(is_ally=True)  # the selection app's decision
    actions.do_record_contact(youssef, acting_user=official, date=days_ago(10))
    fatima = actions.do_create_key_figure(
        {
            "first_name": "Fatima",
            "last_name": "Bouzid",
            "mobile": "+31 6 2345 6789",
            "neighbourhood": overvecht,
            "communities": [community["Marokkaans"]],
            "nominated_by_municipality": True,
        },
        acting_user=official,
    )
    david = actions.do_create_key_figure(
        {
            "first_name": "David",
            "last_name": "Cohen",
            "mobile": "0031 6 34567890",
            "neighbourhood": oost,
            "communities": [community["Joods"]],
            "nominated_by_police": True,
        },
        acting_user=police,
    )
    actions.do_record_contact(david, acting_user=police, date=days_ago(400))
    elsewhere = actions.do_create_key_figure(
        {"first_name": "Ibrahim", "last_name": "Özdemir", "residence_cbs_code": "GM0356"},
        acting_user=official,
    )
    actions.do_record_contact(elsewhere, acting_user=official, date=days_ago(45))
    for key_figure in (youssef, fatima, david, elsewhere):
        key_figure.refresh_from_db()
    return UtrechtMap(
        official=official,
        police=police,
        district=district,
        overvecht=overvecht,
        oost=oost,
        marokkaans=community["Marokkaans"],
        joods=community["Joods"],
        jongeren=community["Jongeren"],
        eritrees=community["Eritrees"],
        youssef=youssef,
        fatima=fatima,
        david=david,
        elsewhere=elsewhere,
    )
