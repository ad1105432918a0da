"""The network map read model: content, gaps, no contact details, a fixed number of queries."""

from __future__ import annotations

import datetime
import json

import pytest

from tenants.councils.actions import do_update_council_rules
from tenants.councils.rules import current_rules
from tenants.networkmap import actions
from tenants.networkmap.models import Community, CommunityKind, KeyFigure
from tenants.networkmap.queries import months_before, network_map
from tests.tenants.networkmap.conftest import days_ago


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (datetime.date(2026, 11, 28), 6, datetime.date(2026, 5, 28)),
        (datetime.date(2026, 8, 31), 6, datetime.date(2026, 2, 28)),
        (datetime.date(2028, 8, 31), 6, datetime.date(2028, 2, 29)),
        (datetime.date(2026, 3, 15), 15, datetime.date(2024, 12, 15)),
        (datetime.date(2026, 1, 31), 1, datetime.date(2025, 12, 31)),
    ],
)
def test_months_before(day, months, expected):
    assert months_before(day, months) == expected


def by_name(items, name):
    (found,) = [item for item in items if item["name"] == name]
    return found


def test_neighbourhoods_with_staff_and_communities(utrecht_map, people):
    data = network_map()
    json.dumps(data)  # plain data
    assert data["totals"] == {"neighbourhoods": 2, "communities": 4, "key_figures": 4, "allies": 1}
    assert data["city_districts"] == [
        {"id": utrecht_map.district.pk, "name": "Noord", "neighbourhood_ids": [utrecht_map.overvecht.pk]}
    ]
    overvecht = by_name(data["neighbourhoods"], "Overvecht")
    assert overvecht["city_district"] == {"id": utrecht_map.district.pk, "name": "Noord"}
    assert overvecht["cbs_code"] == "WK034403"
    assert [officer["name"] for officer in overvecht["police_officers"]] == [utrecht_map.police.display_name]
    assert overvecht["police_officers"][0]["membership_id"] == people.membership(utrecht_map.police).pk
    assert overvecht["municipal_contact"]["name"] == utrecht_map.official.display_name
    assert (overvecht["key_figure_count"], overvecht["ally_count"]) == (2, 1)
    marokkaans = by_name(overvecht["communities"], "Marokkaans")
    assert [p["name"] for p in marokkaans["key_figures"]] == ["Fatima Bouzid", "Youssef El Amrani"]
    assert [p["name"] for p in marokkaans["allies"]] == ["Youssef El Amrani"]
    assert by_name(overvecht["communities"], "Jongeren")["ally_count"] == 1
    oost = by_name(data["neighbourhoods"], "Oost")
    assert oost["city_district"] is None
    assert oost["police_officers"] == [] and oost["municipal_contact"] is None
    assert [c["name"] for c in oost["communities"]] == ["Joods"]
    assert data["elsewhere"]["key_figure_count"] == 1
    eritrees = by_name(data["communities"], "Eritrees")
    assert (eritrees["key_figure_count"], eritrees["ally_count"], eritrees["neighbourhood_ids"]) == (0, 0, [])
    assert by_name(data["communities"], "Marokkaans")["neighbourhood_ids"] == [utrecht_map.overvecht.pk]


def test_gaps(utrecht_map):
    gaps = network_map()["gaps"]
    assert [c["name"] for c in gaps["communities_without_key_figure"]] == ["Eritrees"]
    assert sorted(c["name"] for c in gaps["communities_without_ally"]) == ["Eritrees", "Joods"]
    spof = {c["name"]: c["key_figure"]["name"] for c in gaps["single_point_of_failure"]}
    assert spof == {"Joods": "David Cohen", "Jongeren": "Youssef El Amrani"}
    # Default 6 months: David (400 days) and Fatima (never) are stale, oldest first.
    assert [p["name"] for p in gaps["stale_relationships"]] == ["Fatima Bouzid", "David Cohen"]
    assert gaps["stale_relationships"][0]["last_contact_on"] is None


def test_stale_threshold_is_overridable_and_defaults_to_the_municipality_rule(utrecht_map):
    stale = network_map(stale_after_months=1)["gaps"]["stale_relationships"]
    assert {p["name"] for p in stale} == {"Fatima Bouzid", "David Cohen", "Ibrahim Özdemir"}
    assert network_map()["stale_after_months"] == current_rules().stale_contact_months == 6
    # The municipality's own rule decides the default.
    do_update_council_rules({"stale_contact_months": 24}, acting_user=utrecht_map.official)
    data = network_map()
    assert data["stale_after_months"] == 24
    assert [p["name"] for p in data["gaps"]["stale_relationships"]] == ["Fatima Bouzid"]
    # A contact moves a relationship out of the gap.
    actions.do_record_contact(utrecht_map.fatima, acting_user=utrecht_map.official, date=days_ago(3))
    assert network_map()["gaps"]["stale_relationships"] == []


def test_no_contact_details_in_the_map(utrecht_map):
    text = json.dumps(network_map())
    for key_figure in KeyFigure.objects.all():
        if key_figure.mobile:
            assert key_figure.mobile not in text
            assert key_figure.mobile[3:] not in text
        if key_figure.email:
            assert key_figure.email not in text
    assert "influence" not in text and "mobile" not in text and "email" not in text


def test_empty_municipality(in_amersfoort):
    data = network_map()
    assert data["neighbourhoods"] == [] and data["communities"] == []
    assert data["gaps"] == {
        "communities_without_key_figure": [],
        "communities_without_ally": [],
        "single_point_of_failure": [],
        "stale_relationships": [],
    }


def test_query_count_does_not_grow_with_the_map(utrecht_map, people, django_assert_max_num_queries):
    official = utrecht_map.official
    police_members = [people.membership(people.police("utrecht", str(n))) for n in range(3)]
    communities = [Community.objects.create(kind=CommunityKind.GROUP, name=f"Groep {n}") for n in range(10)]
    for n in range(8):
        neighbourhood = actions.do_create_neighbourhood(
            {
                "name": f"Wijk {n}",
                "police_officers": police_members[: n % 3 + 1],
                "municipal_contact": people.membership(official),
            },
            acting_user=official,
        )
        for m in range(5):
            KeyFigure.objects.create(
                first_name=f"P{m}", last_name=f"W{n}", neighbourhood=neighbourhood
            ).communities.set(communities[m : m + 3])
    current_rules()  # the municipality's rules exist (created on first use)
    with django_assert_max_num_queries(7):  # six for the map, one for the stale rule
        data = network_map()
    assert data["totals"]["key_figures"] == 44
    assert len(data["neighbourhoods"]) == 10
