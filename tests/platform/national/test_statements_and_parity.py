"""The full view costs the same number of statements for 4 municipalities as for 6, and its figures
are the tenant read models' own (network map, council schedule, signal statistics)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from agora.municipalities.provisioning import provision_municipality
from agora.national import queries
from tenants.councils.health import council_health
from tenants.networkmap.queries import network_map
from tenants.signals.stats import signal_stats
from tests.platform.national.conftest import populate


def _statements(user) -> tuple[int, dict]:
    """Statements of the full view (the connection's own ``SET search_path`` is not a read)."""
    with CaptureQueriesContext(connection) as captured:
        overview = queries.national_overview(user)
    reads = [q for q in captured.captured_queries if not q["sql"].startswith("SET search_path")]
    return len(reads), overview


def test_full_view_statements_do_not_grow_with_tenants(national, analyst, grant) -> None:
    user = analyst()
    for unit in national.units.values():
        grant(user, unit=unit)
    before, overview = _statements(user)
    assert sum(d["municipality_count"] for d in overview["districts"]) == 4
    for name, code in (("Bunnik", "GM0312"), ("Houten", "GM0321")):
        municipality = provision_municipality(
            name=name, cbs_code=code, district=national.district_of("utrecht")
        )
        populate(national, municipality)
    connection.set_schema_to_public()
    after, overview = _statements(user)
    assert sum(d["municipality_count"] for d in overview["districts"]) == 6
    assert after == before
    # 2 grants, 1 districts, 1 municipalities, 5 aggregates, seat numbers; SAVEPOINT, jit off, RELEASE.
    assert before <= 13, f"{before} statements for the full view"


def test_no_grant_costs_no_tenant_statement(national, analyst) -> None:
    count, overview = _statements(analyst())
    assert overview == {"count": 0, "districts": []}
    assert count <= 4  # the grants; SAVEPOINT, SET LOCAL jit, RELEASE


def test_figures_equal_the_tenant_read_models(national, analyst, grant) -> None:
    user = analyst()
    for unit in national.units.values():
        grant(user, unit=unit)
    seat_gaps_seen = 0
    for slug, municipality in national.municipalities.items():
        detail = queries.municipality_detail(user, municipality.district_id, municipality.pk)
        connection.set_schema_to_public()
        with tenant_context(municipality):
            own_map = network_map()
            health = council_health()
            own_signals = signal_stats()
            per_neighbourhood = {
                n: signal_stats(neighbourhood_ids=[n]) for n in national.neighbourhood_ids[slug]
            }
        assert detail["totals"] == own_map["totals"]
        for gap in ("communities_without_key_figure", "communities_without_ally", "single_point_of_failure"):
            assert detail["gaps"][gap] == len(own_map["gaps"][gap]), (slug, gap)
        assert detail["gaps"]["stale_relationships"] == len(own_map["gaps"]["stale_relationships"])
        # Issue 9: empty lead/deputy seats and holders without a number count as gaps here too.
        for code, count in health["gaps"].items():
            assert detail["gaps"][code] == count, (slug, code)
        seat_gaps_seen += sum(health["gaps"].values())
        assert detail["signals"] == own_signals
        for neighbourhood in detail["neighbourhoods"]:
            assert neighbourhood["signals"] == per_neighbourhood[neighbourhood["id"]]
            [own] = [n for n in own_map["neighbourhoods"] if n["id"] == neighbourhood["id"]]
            assert (neighbourhood["key_figure_count"], neighbourhood["ally_count"]) == (
                own["key_figure_count"],
                own["ally_count"],
            )
        own_councils = {c["id"]: c["schedule"] for c in health["councils"]}
        for council in detail["council_list"]:
            schedule = {key: council[key] for key in own_councils[council["id"]]}
            assert schedule == own_councils[council["id"]], slug
        own_communities = {c["id"]: (c["key_figure_count"], c["ally_count"]) for c in own_map["communities"]}
        assert {
            c["id"]: (c["key_figure_count"], c["ally_count"]) for c in detail["communities"]
        } == own_communities
    assert seat_gaps_seen > 0  # the data set's councils have no deputies: the comparison is not all zeros


def test_summaries_equal_the_municipality_pages(national, analyst, grant) -> None:
    """The overview and a district read municipality totals (``read_totals``) and no neighbourhood
    signals; a municipality's page adds its neighbourhoods up. Both must say the same."""
    user = analyst()
    for unit in national.units.values():
        grant(user, unit=unit)
    overview = queries.national_overview(user)
    summaries = {}
    for district in overview["districts"]:
        for summary in queries.district_detail(user, district["id"])["municipalities"]:
            summaries[summary["id"]] = summary
    assert {m.pk for m in national.municipalities.values()} <= set(summaries)
    for municipality in national.municipalities.values():
        page = queries.municipality_detail(user, municipality.district_id, municipality.pk)
        summary = summaries[municipality.pk]
        for key in ("totals", "gaps", "signals", "councils", "crises"):
            assert summary[key] == page[key], (municipality.slug, key)
        assert page["totals"]["key_figures"] > 0  # the data set is not empty: the comparison means something
        assert (
            sum(n["stale_relationships"] for n in page["neighbourhoods"])
            + page["elsewhere"]["stale_relationships"]
            == summary["gaps"]["stale_relationships"]
        )


def test_meetings_per_quarter_held_against_due(national, analyst, grant) -> None:
    from agora.national.aggregates import quarters

    user = analyst()
    zeist = national.municipalities["zeist"]
    grant(user, district=zeist.district)
    detail = queries.municipality_detail(user, zeist.district_id, zeist.pk)
    series = detail["meetings_per_quarter"]
    assert [row["quarter"] for row in series] == [label for label, _, _ in quarters(timezone.localdate())]
    assert sum(row["held"] for row in series) == 2  # the data set's two held meetings, 100 and 300 days ago
    assert all(row["due"] >= 0 for row in series) and sum(row["due"] for row in series) > 0
    district = queries.district_detail(user, zeist.district_id)
    assert district["meetings_per_quarter"] == series
