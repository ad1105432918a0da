"""The network map read model (netwerkkaart): plain, JSON-ready data for one municipality.

A pure function of the current schema with a fixed number of queries (no N+1), because the
national police view will call it per granted municipality and aggregate. Data minimisation:
ids, names, counts and contact dates only — never a phone number or e-mail address.

Shape::

    {
      "generated_on": "2026-11-28", "stale_after_months": 6, "stale_before": "2026-05-28",
      "totals": {"neighbourhoods", "communities", "key_figures", "allies"},
      "city_districts": [{"id", "name", "neighbourhood_ids"}],
      "neighbourhoods": [{"id", "name", "cbs_code", "city_district", "police_officers",
                          "municipal_contact", "key_figure_count", "ally_count",
                          "communities": [{"id", "name", "kind", "key_figures", "allies"}]}],
      "elsewhere": {... like a neighbourhood: key figures living in no neighbourhood here ...},
      "communities": [{"id", "name", "kind", "key_figure_count", "ally_count",
                       "key_figures", "allies", "neighbourhood_ids"}],
      "gaps": {"communities_without_key_figure", "communities_without_ally",
               "single_point_of_failure", "stale_relationships"},
    }

A key figure entry is ``{"id", "name", "is_ally", "last_contact_on", "stale"}``; ``key_figures``
lists everyone (allies included, an ally is a key figure), ``allies`` only the allies.
"""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from agora.accounts.models import Membership
from tenants.networkmap.models import CityDistrict, Community, KeyFigure, Neighbourhood


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` earlier, clamped to the month's end (31 August - 6 = 28/29 Feb)."""
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def is_stale(last_contact_on: datetime.date | None, stale_before: datetime.date) -> bool:
    """The stale-relationship rule: no recorded contact since ``stale_before``, or none at all.

    The one definition: this map and the national view (``agora.national``) both call it.
    """
    return last_contact_on is None or last_contact_on < stale_before


# The community gaps of the map, in the order pages show them.
COMMUNITY_GAPS = ("communities_without_key_figure", "communities_without_ally", "single_point_of_failure")


def community_gaps(key_figure_count: int, ally_count: int) -> list[str]:
    """Which gaps a community with these counts is in (an ally is a key figure, so is counted in both).

    No key figure, no ally, or exactly one key figure (a single point of failure). The national
    view applies the same function to counts it aggregated across municipalities.
    """
    gaps = []
    if key_figure_count == 0:
        gaps.append("communities_without_key_figure")
    if ally_count == 0:
        gaps.append("communities_without_ally")
    if key_figure_count == 1:
        gaps.append("single_point_of_failure")
    return gaps


def _member(membership: Membership | None) -> dict[str, Any] | None:
    if membership is None:
        return None
    return {
        "membership_id": membership.pk,
        "name": membership.user.display_name,
        "title": membership.title,
        "is_active": membership.is_active and membership.user.is_active,
    }


def _person(key_figure: KeyFigure, stale_before: datetime.date) -> dict[str, Any]:
    last = key_figure.last_contact_on
    return {
        "id": key_figure.pk,
        "name": key_figure.full_name,
        "is_ally": key_figure.is_ally,
        "last_contact_on": last.isoformat() if last else None,
        "stale": is_stale(last, stale_before),
    }


def _community_block(community: Community, people: list[dict[str, Any]]) -> dict[str, Any]:
    allies = [person for person in people if person["is_ally"]]
    return {
        "id": community.pk,
        "name": community.name,
        "kind": community.kind,
        "key_figure_count": len(people),
        "ally_count": len(allies),
        "key_figures": people,
        "allies": allies,
    }


def _area_block(
    key_figures: list[KeyFigure], communities: list[Community], stale_before: datetime.date
) -> tuple[list[dict[str, Any]], int, int]:
    """Per community of this area: its key figures. Also the area's distinct counts."""
    by_community: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for key_figure in key_figures:
        entry = _person(key_figure, stale_before)
        for community in key_figure.communities.all():
            by_community[community.pk].append(entry)
    blocks = [
        _community_block(community, by_community[community.pk])
        for community in communities
        if community.pk in by_community
    ]
    return blocks, len(key_figures), sum(1 for kf in key_figures if kf.is_ally)


def network_map(*, stale_after_months: int | None = None) -> dict[str, Any]:
    """The network map of the current municipality as plain data (see the module docstring).

    A key figure or ally with no recorded contact for ``stale_after_months`` months (or none at
    all) is a stale relationship, one of the map's gaps. The default is the municipality's own
    setting, ``stale_contact_months`` of its council rules (METHOD.md: maatwerk per
    municipality; the councils app's health check reads the same rule); the argument (the
    API's query parameter) overrides it for one view.
    """
    if stale_after_months is None:
        # Lazy: the councils app builds on the network map, not the other way round.
        from tenants.councils.rules import current_rules

        stale_after_months = current_rules().stale_contact_months
    months = stale_after_months
    today = timezone.localdate()
    stale_before = months_before(today, months)

    # Six queries (and one for the rule above), whatever the size of the map.
    districts = list(CityDistrict.objects.order_by("name"))
    neighbourhoods = list(
        Neighbourhood.objects.select_related("city_district", "municipal_contact__user")
        .prefetch_related(
            Prefetch(
                "police_officers",
                queryset=Membership.objects.select_related("user").order_by("user__last_name", "pk"),
            )
        )
        .order_by("name")
    )
    communities = list(Community.objects.order_by("kind", "name"))
    key_figures = list(
        KeyFigure.objects.only(
            "id", "first_name", "infix", "last_name", "is_ally", "last_contact_on", "neighbourhood_id"
        )
        .prefetch_related(Prefetch("communities", queryset=Community.objects.only("id")))
        .order_by("last_name", "first_name", "id")
    )

    residents: dict[int | None, list[KeyFigure]] = defaultdict(list)
    for key_figure in key_figures:
        residents[key_figure.neighbourhood_id].append(key_figure)

    neighbourhood_blocks = []
    for neighbourhood in neighbourhoods:
        blocks, count, allies = _area_block(residents[neighbourhood.pk], communities, stale_before)
        district = neighbourhood.city_district
        neighbourhood_blocks.append(
            {
                "id": neighbourhood.pk,
                "name": neighbourhood.name,
                "cbs_code": neighbourhood.cbs_code,
                "city_district": {"id": district.pk, "name": district.name} if district else None,
                "police_officers": [_member(m) for m in neighbourhood.police_officers.all()],
                "municipal_contact": _member(neighbourhood.municipal_contact),
                "key_figure_count": count,
                "ally_count": allies,
                "communities": blocks,
            }
        )
    elsewhere_blocks, elsewhere_count, elsewhere_allies = _area_block(
        residents[None], communities, stale_before
    )

    community_people: dict[int, list[dict[str, Any]]] = defaultdict(list)
    community_areas: dict[int, set[int]] = defaultdict(set)
    for key_figure in key_figures:
        entry = _person(key_figure, stale_before)
        for community in key_figure.communities.all():
            community_people[community.pk].append(entry)
            if key_figure.neighbourhood_id is not None:
                community_areas[community.pk].add(key_figure.neighbourhood_id)
    community_blocks = []
    for community in communities:
        block = _community_block(community, community_people[community.pk])
        block["neighbourhood_ids"] = sorted(community_areas[community.pk])
        community_blocks.append(block)

    def ref(block: dict[str, Any]) -> dict[str, Any]:
        return {"id": block["id"], "name": block["name"], "kind": block["kind"]}

    gaps: dict[str, list[dict[str, Any]]] = {name: [] for name in COMMUNITY_GAPS}
    for block in community_blocks:
        for name in community_gaps(block["key_figure_count"], block["ally_count"]):
            entry = ref(block)
            if name == "single_point_of_failure":
                entry["key_figure"] = block["key_figures"][0]
            gaps[name].append(entry)
    gaps["stale_relationships"] = [
        _person(kf, stale_before)
        for kf in sorted(key_figures, key=lambda kf: (kf.last_contact_on or datetime.date.min, kf.pk))
        if is_stale(kf.last_contact_on, stale_before)
    ]
    return {
        "generated_on": today.isoformat(),
        "stale_after_months": months,
        "stale_before": stale_before.isoformat(),
        "totals": {
            "neighbourhoods": len(neighbourhoods),
            "communities": len(communities),
            "key_figures": len(key_figures),
            "allies": sum(1 for kf in key_figures if kf.is_ally),
        },
        "city_districts": [
            {
                "id": district.pk,
                "name": district.name,
                "neighbourhood_ids": [n.pk for n in neighbourhoods if n.city_district_id == district.pk],
            }
            for district in districts
        ],
        "neighbourhoods": neighbourhood_blocks,
        "elsewhere": {
            "key_figure_count": elsewhere_count,
            "ally_count": elsewhere_allies,
            "communities": elsewhere_blocks,
        },
        "communities": community_blocks,
        "gaps": gaps,
    }
