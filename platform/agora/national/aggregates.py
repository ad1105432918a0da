"""The national read model: one function per aggregate, each ONE statement over many schemas.

Every function takes the granted municipalities' contexts (``read_contexts``) and returns
plain data keyed by municipality id. The rules are the tenant apps' own: the stale date is
``tenants.networkmap.queries.months_before`` of the municipality's ``stale_contact_months``,
the overdue cutoff is ``tenants.signals.deadlines.overdue_cutoff`` of its
``signal_overdue_days``, a council's due date and overdue flag come from
``tenants.councils.schedule.council_schedule``, community gaps from
``tenants.networkmap.queries.community_gaps``, signal figures are published through
``tenants.signals.stats.stats_from_figures``. The SQL only counts; a test holds every figure
equal to the tenant read models' own answer (tests/platform/national/test_parity.py).

A new aggregate (the crisis room's open crises and roll-calls) is one more function here
built on :func:`agora.national.schemas.fetch_union`: the number of statements of a view grows
with the number of aggregates, never with the number of municipalities.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from django.utils import timezone
from psycopg import sql

from agora.national.schemas import Tenant, fetch_union, table
from tenants.councils.models import Council, CouncilMember, CouncilRules, Meeting
from tenants.councils.schedule import council_schedule
from tenants.councils.workflow import MeetingStatus
from tenants.networkmap.models import Community, KeyFigure, Neighbourhood
from tenants.networkmap.queries import months_before
from tenants.signals.deadlines import overdue_cutoff
from tenants.signals.models import Signal
from tenants.signals.stats import SignalStats, stats_from_figures
from tenants.signals.workflow import SignalStatus

RULE_FIELDS = (
    "meeting_interval_weeks",
    "relationship_meetings",
    "stale_contact_months",
    "signal_overdue_days",
)
KEY_FIGURE_COMMUNITIES = KeyFigure.communities.through._meta.db_table
COUNCIL_NEIGHBOURHOODS = Council.neighbourhoods.through._meta.db_table


@dataclass(frozen=True)
class Context:
    """One municipality with the rules the figures are judged by, read once for the whole view."""

    tenant: Tenant
    rules: CouncilRules
    today: dt.date
    now: dt.datetime
    stale_before: dt.date
    overdue_cutoff: dt.datetime


def _tag(tenant: Tenant) -> sql.Composable:
    return sql.Literal(tenant.municipality_id)


def read_contexts(tenants: Sequence[Tenant], *, now: dt.datetime | None = None) -> list[Context]:
    """Every municipality's council rules (one statement); the method's defaults where none was saved."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    columns = sql.SQL(", ").join(sql.Identifier(name) for name in RULE_FIELDS)

    def branch(tenant: Tenant):
        return (
            sql.SQL("SELECT {tag}::bigint, {columns} FROM {rules} WHERE singleton").format(
                tag=_tag(tenant), columns=columns, rules=table(tenant, CouncilRules)
            ),
            (),
        )

    saved = {row[0]: dict(zip(RULE_FIELDS, row[1:], strict=True)) for row in fetch_union(tenants, branch)}
    contexts = []
    for tenant in tenants:
        rules = CouncilRules(**saved.get(tenant.municipality_id, {}))  # unsaved: the model's defaults
        contexts.append(
            Context(
                tenant=tenant,
                rules=rules,
                today=today,
                now=now,
                stale_before=months_before(today, rules.stale_contact_months),
                overdue_cutoff=overdue_cutoff(now, rules=rules),
            )
        )
    return contexts


def _by_tenant(contexts: Sequence[Context]) -> tuple[list[Tenant], dict[int, Context]]:
    return [c.tenant for c in contexts], {c.tenant.municipality_id: c for c in contexts}


def read_neighbourhoods(contexts: Sequence[Context]) -> dict[int, list[dict[str, Any]]]:
    """Per municipality, its neighbourhoods with key figures, allies and stale relationships counted.

    The entry with ``id`` None holds the key figures living in no neighbourhood of the
    municipality (the map's "elsewhere"). Stale: ``tenants.networkmap.queries.is_stale``.
    """
    tenants, by_id = _by_tenant(contexts)

    def branch(tenant: Tenant):
        return (
            sql.SQL(
                "SELECT {tag}::bigint AS municipality_id, n.id, n.name, n.cbs_code,"
                " coalesce(k.key_figures, 0), coalesce(k.allies, 0), coalesce(k.stale, 0)"
                " FROM {neighbourhoods} n FULL OUTER JOIN ("
                "  SELECT neighbourhood_id, count(*) AS key_figures,"
                "   count(*) FILTER (WHERE is_ally) AS allies,"
                "   count(*) FILTER (WHERE last_contact_on IS NULL OR last_contact_on < %s) AS stale"
                "  FROM {key_figures} GROUP BY neighbourhood_id"
                " ) k ON k.neighbourhood_id = n.id"
            ).format(
                tag=_tag(tenant),
                neighbourhoods=table(tenant, Neighbourhood),
                key_figures=table(tenant, KeyFigure),
            ),
            (by_id[tenant.municipality_id].stale_before,),
        )

    result: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for municipality_id, pk, name, cbs_code, key_figures, allies, stale in fetch_union(tenants, branch):
        result[municipality_id].append(
            {
                "id": pk,
                "name": name,
                "cbs_code": cbs_code,
                "key_figure_count": key_figures,
                "ally_count": allies,
                "stale_relationships": stale,
            }
        )
    for rows in result.values():
        rows.sort(key=lambda row: (row["id"] is None, row["name"] or "", row["id"] or 0))
    return result


def read_communities(
    contexts: Sequence[Context], *, neighbourhood_id: int | None = None
) -> dict[int, list[dict[str, Any]]]:
    """Per municipality, its communities with key figures and allies counted.

    Municipality-wide by default, as the map's gaps are; with ``neighbourhood_id``, only the
    communities that people living there belong to, counted over those people (the map's
    per-neighbourhood blocks).
    """
    tenants, _ = _by_tenant(contexts)

    if neighbourhood_id is None:
        people = "LEFT JOIN {m} m ON m.community_id = c.id LEFT JOIN {kf} kf ON kf.id = m.keyfigure_id"
    else:
        people = (
            "JOIN {m} m ON m.community_id = c.id"
            " JOIN {kf} kf ON kf.id = m.keyfigure_id AND kf.neighbourhood_id = %s"
        )
    template = sql.SQL(
        "SELECT {tag}::bigint AS municipality_id, c.id, c.name, c.kind, count(kf.id),"
        " count(kf.id) FILTER (WHERE kf.is_ally) FROM {communities} c "
        + people
        + " GROUP BY c.id, c.name, c.kind"
    )

    def branch(tenant: Tenant):
        return (
            template.format(
                tag=_tag(tenant),
                communities=table(tenant, Community),
                m=table(tenant, KEY_FIGURE_COMMUNITIES),
                kf=table(tenant, KeyFigure),
            ),
            () if neighbourhood_id is None else (neighbourhood_id,),
        )

    result: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for municipality_id, pk, name, kind, key_figures, allies in fetch_union(tenants, branch):
        result[municipality_id].append(
            {"id": pk, "name": name, "kind": kind, "key_figure_count": key_figures, "ally_count": allies}
        )
    for rows in result.values():
        rows.sort(key=lambda row: (row["kind"], row["name"], row["id"]))
    return result


def read_councils(contexts: Sequence[Context]) -> dict[int, list[dict[str, Any]]]:
    """Per municipality, its councils with the schedule ``council_schedule`` gives them.

    Held meetings, last held and next planned are counted as ``with_schedule`` counts them;
    ``active``: started and with at least one ally seated (``active_member_count``).
    """
    tenants, by_id = _by_tenant(contexts)

    def branch(tenant: Tenant):
        meetings = table(tenant, Meeting)
        return (
            sql.SQL(
                "SELECT {tag}::bigint AS municipality_id, c.id, c.name, c.started_on,"
                " c.covers_whole_municipality, c.municipal_lead_id, c.municipal_deputy_id,"
                " c.police_lead_id, c.police_deputy_id,"
                " (SELECT count(*) FROM {meetings} m WHERE m.council_id = c.id AND m.status = %s),"
                " (SELECT max(m.starts_at) FROM {meetings} m WHERE m.council_id = c.id AND m.status = %s),"
                " (SELECT min(m.starts_at) FROM {meetings} m"
                "   WHERE m.council_id = c.id AND m.status = %s AND m.starts_at >= %s),"
                " (SELECT count(*) FROM {seats} s WHERE s.council_id = c.id AND s.left_on IS NULL),"
                " ARRAY(SELECT cn.neighbourhood_id FROM {scope} cn WHERE cn.council_id = c.id ORDER BY 1)"
                " FROM {councils} c"
            ).format(
                tag=_tag(tenant),
                meetings=meetings,
                seats=table(tenant, CouncilMember),
                scope=table(tenant, COUNCIL_NEIGHBOURHOODS),
                councils=table(tenant, Council),
            ),
            (
                MeetingStatus.HELD,
                MeetingStatus.HELD,
                MeetingStatus.PLANNED,
                by_id[tenant.municipality_id].now,
            ),
        )

    result: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in fetch_union(tenants, branch):
        (municipality_id, pk, name, started_on, whole, m_lead, m_deputy, p_lead, p_deputy) = row[:9]
        held, last_held, next_planned, seated, neighbourhood_ids = row[9:]
        context = by_id[municipality_id]
        council = SimpleNamespace(
            started_on=started_on,
            schedule_held=held,
            schedule_last_held=last_held,
            schedule_next_planned=next_planned,
        )
        schedule = council_schedule(council, today=context.today, rules=context.rules)
        result[municipality_id].append(
            {
                "id": pk,
                "name": name,
                "started_on": started_on.isoformat(),
                "active": started_on <= context.today and seated > 0,
                "allies_seated": seated,
                "covers_whole_municipality": whole,
                "neighbourhood_ids": list(neighbourhood_ids),
                **schedule,
                # Person references, stripped before anything is shown (agora.national.queries).
                "lead_slots": [m_lead, m_deputy, p_lead, p_deputy],
                "lead_membership_ids": [m for m in (m_lead, m_deputy, p_lead, p_deputy) if m is not None],
            }
        )
    for rows in result.values():
        rows.sort(key=lambda row: (row["name"], row["id"]))
    return result


def read_signals(contexts: Sequence[Context]) -> dict[tuple[Any, ...], SignalStats]:
    """Signal figures per district, municipality and neighbourhood, in one statement (exact medians).

    Keys: ``("district", id)``, ``("municipality", id)``, ``("neighbourhood", municipality_id, id)``.
    Definitions: ``tenants.signals.stats`` (overdue: waiting since before the municipality's cutoff).
    """
    tenants, by_id = _by_tenant(contexts)

    def branch(tenant: Tenant):
        return (
            sql.SQL(
                "SELECT {district}::bigint AS district_id, {tag}::bigint AS municipality_id,"
                " neighbourhood_id, first_answered_at IS NOT NULL AS answered, status <> %s AS open,"
                " coalesce(awaiting_answer_since < %s, false) AS overdue,"
                " EXTRACT(EPOCH FROM response_time) AS seconds FROM {signals}"
            ).format(
                district=sql.Literal(tenant.district_id), tag=_tag(tenant), signals=table(tenant, Signal)
            ),
            (SignalStatus.CLOSED, by_id[tenant.municipality_id].overdue_cutoff),
        )

    def wrap(union: sql.Composable) -> sql.Composable:
        return sql.SQL(
            "SELECT district_id, municipality_id, neighbourhood_id,"
            " GROUPING(municipality_id, neighbourhood_id), count(*), count(*) FILTER (WHERE answered),"
            " count(*) FILTER (WHERE open), count(*) FILTER (WHERE overdue),"
            " percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds)"
            " FROM ({union}) AS raised GROUP BY GROUPING SETS ((district_id),"
            " (district_id, municipality_id), (district_id, municipality_id, neighbourhood_id))"
        ).format(union=union)

    result: dict[tuple[Any, ...], SignalStats] = {}
    for district_id, municipality_id, neighbourhood_id, grouping, *figures in fetch_union(
        tenants, branch, wrap=wrap
    ):
        raised, answered, open_, overdue, median = figures
        stats = stats_from_figures(
            raised=raised, answered=answered, open=open_, overdue=overdue, median_seconds=median
        )
        if grouping == 3:
            result[("district", district_id)] = stats
        elif grouping == 1:
            result[("municipality", municipality_id)] = stats
        else:
            result[("neighbourhood", municipality_id, neighbourhood_id)] = stats
    return result


NO_SIGNALS = stats_from_figures(raised=0, answered=0, open=0, overdue=0, median_seconds=None)


def read_allies(contexts: Sequence[Context], *, neighbourhood_id: int | None = None) -> list[dict[str, Any]]:
    """Person-level: every ally's name and numbers. Only for ``contacts`` grants, and logged by the caller."""
    tenants, _ = _by_tenant(contexts)

    def branch(tenant: Tenant):
        where = sql.SQL(" AND neighbourhood_id = %s") if neighbourhood_id is not None else sql.SQL("")
        return (
            sql.SQL(
                "SELECT {tag}::bigint AS municipality_id, id, first_name, infix, last_name, mobile, email,"
                " neighbourhood_id FROM {key_figures} WHERE is_ally{where}"
            ).format(tag=_tag(tenant), key_figures=table(tenant, KeyFigure), where=where),
            () if neighbourhood_id is None else (neighbourhood_id,),
        )

    allies = []
    for municipality_id, pk, first, infix, last, mobile, email, lives_in in fetch_union(tenants, branch):
        allies.append(
            {
                "municipality_id": municipality_id,
                "id": pk,
                "name": " ".join(part for part in (first, infix, last) if part),
                "mobile": mobile,
                "email": email,
                "neighbourhood_id": lives_in,
            }
        )
    allies.sort(key=lambda a: (a["municipality_id"], a["name"], a["id"]))
    return allies
