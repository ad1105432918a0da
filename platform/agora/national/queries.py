"""The national view as plain data: districts, a district, a municipality, a neighbourhood.

Every function starts from the user's granted scope (``agora.national.access``) and reads
the aggregates (``agora.national.aggregates``) of the granted municipalities only, in a fixed
number of statements. Person-level fields (names and numbers of council leads and allies)
appear only where a ``contacts`` grant covers the district, and every such read is written to
the access log with its municipality. Under ``summary`` the payload holds ids, names of
places, communities and councils, and counts: never a person.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from agora.accounts.models import Membership
from agora.audit.actions import log_person_reads
from agora.errors import NOT_FOUND
from agora.geography.models import PoliceDistrict
from agora.ids import parse_id
from agora.municipalities.models import Municipality
from agora.national import aggregates
from agora.national.access import (
    Scope,
    access_district_by_id,
    access_municipality_by_id,
    districts_visible_to,
    granted_scope,
)
from agora.national.schemas import Tenant, national_read, tenants_of
from tenants.councils.health import SEAT_GAP_CODES
from tenants.networkmap.models import KeyFigure
from tenants.networkmap.queries import COMMUNITY_GAPS, community_gaps

GAP_NAMES = (*COMMUNITY_GAPS, "stale_relationships", "councils_overdue", "without_council", *SEAT_GAP_CODES)
LEAD_ROLES = ("municipal_lead", "municipal_deputy", "police_lead", "police_deputy")
ROLLCALL_KEYS = ("convened", "coming", "remote", "unable", "no_answer", "unreachable")
# Keys of an aggregate council row that point at people: never in a payload.
PERSON_KEYS = frozenset({"lead_slots", "lead_membership_ids"})


@dataclass
class Figures:
    """The aggregates of a set of municipalities, read once."""

    contexts: list[aggregates.Context]
    totals: dict[int, dict[str, int]]
    neighbourhoods: dict[int, list[dict[str, Any]]]  # empty unless read with ``neighbourhoods``
    communities: dict[int, list[dict[str, Any]]]
    councils: dict[int, list[dict[str, Any]]]
    signals: dict[tuple[Any, ...], Any]
    crises: dict[int, list[dict[str, Any]]]


def read_figures(tenants: Sequence[Tenant], *, neighbourhoods: bool = False) -> Figures:
    """Six statements whatever the number of municipalities (none when there is none).

    Summaries (the overview, a district, an export) need each municipality's totals only; a
    municipality's own page asks for its ``neighbourhoods`` rows and signal figures as well.
    """
    contexts = aggregates.read_contexts(tenants)
    if neighbourhoods:
        rows = aggregates.read_neighbourhoods(contexts)
        totals = {
            c.tenant.municipality_id: aggregates.totals_of(rows.get(c.tenant.municipality_id, []))
            for c in contexts
        }
    else:
        rows, totals = {}, aggregates.read_totals(contexts)
    return Figures(
        contexts=contexts,
        totals=totals,
        neighbourhoods=rows,
        communities=aggregates.read_communities(contexts),
        councils=aggregates.read_councils(contexts),
        signals=aggregates.read_signals(contexts, neighbourhoods=neighbourhoods),
        crises=aggregates.read_crises(contexts),
    )


def _crises_summary(crises: list[dict[str, Any]]) -> dict[str, int]:
    """Open crises and how their roll-calls stand, added up (counts only)."""
    total = dict.fromkeys(("open", "quorum_reached", *ROLLCALL_KEYS), 0)
    for crisis in crises:
        total["open"] += 1
        total["quorum_reached"] += int(crisis["quorum_reached"])
        for key in ROLLCALL_KEYS:
            total[key] += crisis["rollcall"][key]
    return total


def _communities_block(communities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**c, "gaps": community_gaps(c["key_figure_count"], c["ally_count"])} for c in communities]


def _gap_counts(communities: list[dict[str, Any]], stale_relationships: int, councils) -> dict:
    counts = dict.fromkeys(GAP_NAMES, 0)
    for community in communities:
        for name in community_gaps(community["key_figure_count"], community["ally_count"]):
            counts[name] += 1
    counts["stale_relationships"] = stale_relationships
    counts["councils_overdue"] = sum(1 for c in councils if c["is_overdue"])
    counts["without_council"] = 0 if councils else 1
    for council in councils:  # issue 9: an empty seat, or a holder nobody can call
        for gap in council["seat_gaps"]:
            counts[gap["code"]] += 1
    return counts


def _councils_summary(councils: list[dict[str, Any]]) -> dict[str, Any]:
    last = [c["last_held_at"] for c in councils if c["last_held_at"]]
    upcoming = [c["next_planned_at"] for c in councils if c["next_planned_at"]]
    return {
        "count": len(councils),
        "active": sum(1 for c in councils if c["active"]),
        "overdue": sum(1 for c in councils if c["is_overdue"]),
        "last_held_at": max(last) if last else None,
        "next_planned_at": min(upcoming) if upcoming else None,
    }


def _public_council(council: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in council.items() if key not in PERSON_KEYS}


def municipality_summary(tenant: Tenant, figures: Figures) -> dict[str, Any]:
    """One municipality's counts and gaps (no person): the unit every level sums."""
    pk = tenant.municipality_id
    totals = figures.totals.get(pk) or aggregates.totals_of([])
    communities = figures.communities.get(pk, [])
    councils = figures.councils.get(pk, [])
    return {
        "id": pk,
        "name": tenant.name,
        "cbs_code": tenant.cbs_code,
        "district_id": tenant.district_id,
        "totals": {
            "neighbourhoods": totals["neighbourhoods"],
            "communities": len(communities),
            "key_figures": totals["key_figures"],
            "allies": totals["allies"],
        },
        "gaps": _gap_counts(communities, totals["stale_relationships"], councils),
        "councils": _councils_summary(councils),
        "signals": figures.signals.get(("municipality", pk), aggregates.NO_SIGNALS),
        "crises": _crises_summary(figures.crises.get(pk, [])),
    }


def _sum_blocks(blocks: Iterable[dict[str, Any]], key: str) -> dict[str, int]:
    total: dict[str, int] = defaultdict(int)
    for block in blocks:
        for name, value in block[key].items():
            total[name] += value
    return dict(total)


def district_summary(
    district: PoliceDistrict, level: str, municipalities: list[dict[str, Any]], figures: Figures
) -> dict[str, Any]:
    councils = [c for m in municipalities for c in figures.councils.get(m["id"], [])]
    return {
        "id": district.pk,
        "name": district.name,
        "unit": {"id": district.unit_id, "name": district.unit.name},
        "level": level,
        "municipality_count": len(municipalities),
        "totals": _sum_blocks(municipalities, "totals")
        or dict.fromkeys(("neighbourhoods", "communities", "key_figures", "allies"), 0),
        "gaps": _sum_blocks(municipalities, "gaps") or dict.fromkeys(GAP_NAMES, 0),
        "councils": _councils_summary(councils),
        "signals": figures.signals.get(("district", district.pk), aggregates.NO_SIGNALS),
        "crises": _crises_summary([c for m in municipalities for c in figures.crises.get(m["id"], [])]),
    }


def _matches(text: str, query: str) -> bool:
    return query.casefold() in text.casefold()


@national_read()
def national_overview(
    user: Any, *, unit: Any = None, q: str | None = None, gap: str | None = None
) -> dict[str, Any]:
    """The granted districts with their gaps at a glance (the full national view).

    Filters narrow within the grants only: an ungranted or unknown unit gives nothing, alike.
    ``q`` matches a district's or one of its municipalities' names; ``gap`` keeps districts
    that have at least one of that gap.
    """
    scope = granted_scope(user)
    districts = list(districts_visible_to(user, scope=scope).order_by("unit__name", "name"))
    if unit not in (None, ""):
        unit_id = parse_id(unit)
        districts = [d for d in districts if d.unit_id == unit_id]
    tenants = tenants_of([d.pk for d in districts])
    figures = read_figures(tenants)
    by_district: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for tenant in tenants:
        by_district[tenant.district_id].append(municipality_summary(tenant, figures))
    rows = []
    for district in districts:
        municipalities = by_district[district.pk]
        if q and not (_matches(district.name, q) or any(_matches(m["name"], q) for m in municipalities)):
            continue
        summary = district_summary(district, scope.levels[district.pk], municipalities, figures)
        if gap and summary["gaps"].get(gap, 0) == 0:
            continue
        rows.append(summary)
    return {"count": len(rows), "districts": rows}


@national_read()
def district_detail(user: Any, district_id: Any) -> dict[str, Any]:
    """One granted district and its municipalities' figures; contacts under a ``contacts`` grant."""
    scope = granted_scope(user)
    district = access_district_by_id(user, district_id, scope=scope)
    tenants = tenants_of([district.pk])
    figures = read_figures(tenants)
    municipalities = [municipality_summary(t, figures) for t in tenants]
    result = district_summary(district, scope.levels[district.pk], municipalities, figures)
    result["municipalities"] = municipalities
    result["meetings_per_quarter"] = _sum_quarters(
        aggregates.read_meetings_per_quarter(figures.contexts, figures.councils).values()
    )
    return result


def _sum_quarters(series: Iterable[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Council health over time for several municipalities: held and due added up per quarter."""
    total: dict[str, dict[str, Any]] = {}
    for rows in series:
        for row in rows:
            entry = total.setdefault(row["quarter"], {"quarter": row["quarter"], "held": 0, "due": 0})
            entry["held"] += row["held"]
            entry["due"] += row["due"]
    return [total[key] for key in sorted(total)]


@dataclass(frozen=True)
class Place:
    scope: Scope
    district: PoliceDistrict
    municipality: Municipality
    tenant: Tenant


def _place(user: Any, district_id: Any, municipality_id: Any) -> Place:
    scope = granted_scope(user)
    district = access_district_by_id(user, district_id, scope=scope)
    municipality = access_municipality_by_id(user, district, municipality_id, scope=scope)
    [tenant] = tenants_of([district.pk], municipality_id=municipality.pk)
    return Place(scope, district, municipality, tenant)


@national_read()
def municipality_detail(user: Any, district_id: Any, municipality_id: Any) -> dict[str, Any]:
    """A granted municipality: its neighbourhoods, communities with their gaps, councils, signals."""
    place = _place(user, district_id, municipality_id)
    figures = read_figures([place.tenant], neighbourhoods=True)
    pk = place.municipality.pk
    result = municipality_summary(place.tenant, figures)
    result["level"] = place.scope.levels[place.district.pk]
    result["neighbourhoods"] = [
        {**n, "signals": figures.signals.get(("neighbourhood", pk, n["id"]), aggregates.NO_SIGNALS)}
        for n in figures.neighbourhoods.get(pk, [])
        if n["id"] is not None
    ]
    elsewhere = [n for n in figures.neighbourhoods.get(pk, []) if n["id"] is None]
    result["elsewhere"] = (
        {k: elsewhere[0][k] for k in ("key_figure_count", "ally_count", "stale_relationships")}
        if elsewhere
        else {"key_figure_count": 0, "ally_count": 0, "stale_relationships": 0}
    )
    result["communities"] = _communities_block(figures.communities.get(pk, []))
    councils = figures.councils.get(pk, [])
    result["council_list"] = [_public_council(c) for c in councils]
    result["crisis_list"] = figures.crises.get(pk, [])
    result["meetings_per_quarter"] = aggregates.read_meetings_per_quarter(
        figures.contexts, figures.councils
    ).get(pk, [])
    if place.scope.shows_contacts(place.district.pk):
        result["contacts"] = read_contacts(
            user, figures.contexts, councils, purpose="national view: municipality"
        )
    return result


@national_read()
def neighbourhood_detail(
    user: Any, district_id: Any, municipality_id: Any, neighbourhood_id: Any
) -> dict[str, Any]:
    """A neighbourhood of a granted municipality: its communities, the councils covering it, signals."""
    place = _place(user, district_id, municipality_id)
    pk = parse_id(neighbourhood_id)
    if pk is None:
        raise NOT_FOUND()
    contexts = aggregates.read_contexts([place.tenant])
    neighbourhoods = aggregates.read_neighbourhoods(contexts).get(place.municipality.pk, [])
    found = next((n for n in neighbourhoods if n["id"] == pk), None)
    if found is None:
        raise NOT_FOUND()
    communities = aggregates.read_communities(contexts, neighbourhood_id=pk).get(place.municipality.pk, [])
    councils = [
        c
        for c in aggregates.read_councils(contexts).get(place.municipality.pk, [])
        if c["covers_whole_municipality"] or pk in c["neighbourhood_ids"]
    ]
    signals = aggregates.read_signals(contexts)
    result = {
        **found,
        "municipality": {"id": place.municipality.pk, "name": place.municipality.name},
        "district_id": place.district.pk,
        "level": place.scope.levels[place.district.pk],
        "communities": communities,
        "council_list": [_public_council(c) for c in councils],
        "signals": signals.get(("neighbourhood", place.municipality.pk, pk), aggregates.NO_SIGNALS),
    }
    if place.scope.shows_contacts(place.district.pk):
        result["contacts"] = read_contacts(
            user, contexts, councils, purpose="national view: neighbourhood", neighbourhood_id=pk
        )
    return result


@national_read()
def crisis_detail(user: Any, district_id: Any, municipality_id: Any, crisis_id: Any) -> dict[str, Any]:
    """A crisis of a granted municipality with its roll-call counted (no person, whatever the level).

    A drill, a crisis of another municipality or one that does not exist: the same NOT_FOUND.
    """
    place = _place(user, district_id, municipality_id)
    pk = parse_id(crisis_id)
    if pk is None:
        raise NOT_FOUND()
    contexts = aggregates.read_contexts([place.tenant])
    found = aggregates.read_crises(contexts, crisis_id=pk).get(place.municipality.pk, [])
    if not found:
        raise NOT_FOUND()
    return {
        **found[0],
        "municipality": {"id": place.municipality.pk, "name": place.municipality.name},
        "district_id": place.district.pk,
        "level": place.scope.levels[place.district.pk],
    }


def read_contacts(
    user: Any,
    contexts: Sequence[aggregates.Context],
    councils: Iterable[dict[str, Any]],
    *,
    purpose: str,
    neighbourhood_id: int | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Names and numbers of the councils' leads and of the allies; every record read is logged.

    Call only for a district a ``contacts`` grant covers. Two statements (allies across the
    municipalities, leads from the public schema) and one log insert per municipality read.
    """
    allies = aggregates.read_allies(contexts, neighbourhood_id=neighbourhood_id)
    councils = list(councils)
    lead_ids = {pk for c in councils for pk in c["lead_membership_ids"]}
    memberships = {
        m.pk: m for m in Membership.objects.filter(pk__in=lead_ids).select_related("user", "municipality")
    }
    leads = []
    for council in councils:
        for role, membership_id in zip(LEAD_ROLES, council["lead_slots"], strict=True):
            membership = memberships.get(membership_id)
            if membership is None:
                continue
            leads.append(
                {
                    "council_id": council["id"],
                    "council": council["name"],
                    "role": role,
                    "municipality_id": membership.municipality_id,
                    "membership_id": membership.pk,
                    "name": membership.user.display_name,
                    "title": membership.title,
                    "mobile": membership.mobile,
                    "email": membership.user.email,
                }
            )
    reads: dict[int, list[Any]] = defaultdict(list)
    for ally in allies:
        reads[ally["municipality_id"]].append(KeyFigure(pk=ally["id"]))
    for lead in leads:
        reads[lead["municipality_id"]].append(Membership(pk=lead["membership_id"]))
    for municipality_id, objs in reads.items():
        log_person_reads(
            actor=user, objs=objs, purpose=purpose, municipality=Municipality(pk=municipality_id)
        )
    return {"council_leads": leads, "allies": allies}
