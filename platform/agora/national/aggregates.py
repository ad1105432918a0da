"""The national read model's figures: one function per aggregate, each ONE statement.

Counts come from the public mirrors (``agora.national.readmodel``, fed by triggers in the
tenants' transactions, ADR 0009) of the granted municipalities; only the names and numbers of
a ``contacts`` grant are read in the municipalities' own schemas (``read_allies``, one
``UNION ALL`` statement over the granted schemas, ``agora.national.schemas``).

The rules are the tenant apps' own: the stale date is ``tenants.networkmap.queries.months_before``
of the municipality's ``stale_contact_months``, the overdue cutoff is
``tenants.signals.deadlines.overdue_cutoff`` of its ``signal_overdue_days``, a council's due date
and overdue flag come from ``tenants.councils.schedule.council_schedule``, community gaps from
``tenants.networkmap.queries.community_gaps``, signal figures are published through
``tenants.signals.stats.stats_from_figures``. The SQL only counts; a test holds every figure
equal to the tenant read models' own answer (tests/platform/national/test_statements_and_parity.py).

The crisis room's open crises and their roll-calls are one more pair of mirrors in
``agora.national.feed`` and one more function here (``read_crises``): the number of statements of
a view grows with the number of aggregates, never with the number of municipalities.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from django.db import connection
from django.utils import timezone
from psycopg import sql

from agora.national.schemas import Tenant, fetch_union, table
from tenants.councils.health import meetings_due, seat_gaps
from tenants.councils.models import CouncilRules
from tenants.councils.schedule import council_schedule
from tenants.councils.workflow import MeetingStatus
from tenants.networkmap.models import KeyFigure
from tenants.networkmap.queries import months_before
from tenants.signals.deadlines import overdue_cutoff
from tenants.signals.stats import SignalStats, stats_from_figures
from tenants.signals.workflow import SignalStatus

RULE_FIELDS = (
    "meeting_interval_weeks",
    "relationship_meetings",
    "stale_contact_months",
    "signal_overdue_days",
)


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


def _rows(statement: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """One statement on the public read model."""
    if connection.schema_name != "public":
        connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(statement, list(params))
        return cursor.fetchall()


def array(values: Iterable[int | dt.date]) -> str:
    """A PostgreSQL array literal (``'{1,2,3}'``) of ids, dates or instants, sent as one text parameter.

    Cast where it is used (``%s::bigint[]``). psycopg quotes a list element by element on the
    client: for the 342 ids and dates of a national statement that cost more than the statement.
    Only ints and dates reach here (``TypeError`` otherwise), so no element needs quoting.
    """
    parts = []
    for value in values:
        if isinstance(value, dt.date):
            parts.append(value.isoformat())
        elif isinstance(value, int) and not isinstance(value, bool):
            parts.append(str(value))
        else:
            raise TypeError(f"not an id or a date: {value!r}")
    return "{" + ",".join(parts) + "}"


def _ids(contexts: Sequence[Context]) -> str:
    return array(c.tenant.municipality_id for c in contexts)


def read_contexts(tenants: Sequence[Tenant], *, now: dt.datetime | None = None) -> list[Context]:
    """Every municipality's council rules (one statement); the method's defaults where none was saved.

    The dates the rules give (stale before, overdue cutoff) are worked out once per distinct set
    of rules, not once per municipality: most keep the method's defaults.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    saved: dict[int, tuple[Any, ...]] = {}
    if tenants:
        columns = ", ".join(RULE_FIELDS)
        for row in _rows(
            f"SELECT municipality_id, {columns} FROM national_mirrorrules"
            " WHERE municipality_id = ANY(%s::bigint[])",
            [array(t.municipality_id for t in tenants)],
        ):
            saved[row[0]] = tuple(row[1:])
    judged: dict[tuple[Any, ...] | None, tuple[CouncilRules, dt.date, dt.datetime]] = {}
    contexts = []
    for tenant in tenants:
        values = saved.get(tenant.municipality_id)
        if values not in judged:
            # Unsaved: the model's defaults.
            rules = CouncilRules(**({} if values is None else dict(zip(RULE_FIELDS, values, strict=True))))
            judged[values] = (
                rules,
                months_before(today, rules.stale_contact_months),
                overdue_cutoff(now, rules=rules),
            )
        rules, stale_before, cutoff = judged[values]
        contexts.append(
            Context(
                tenant=tenant,
                rules=rules,
                today=today,
                now=now,
                stale_before=stale_before,
                overdue_cutoff=cutoff,
            )
        )
    return contexts


def read_totals(contexts: Sequence[Context]) -> dict[int, dict[str, int]]:
    """Per municipality: neighbourhoods, key figures, allies and stale relationships, counted in SQL.

    What ``read_neighbourhoods`` gives per neighbourhood, added up per municipality (a parity test
    holds the two equal): the summaries of the national overview and of a district need no
    neighbourhood rows, only these four numbers.
    """
    if not contexts:
        return {}
    ids = _ids(contexts)
    rows = _rows(
        "WITH p AS (SELECT * FROM unnest(%s::bigint[], %s::date[]) AS p(municipality_id, stale_before)),"
        " k AS (SELECT kf.municipality_id, count(*) AS key_figures,"
        "  count(*) FILTER (WHERE kf.is_ally) AS allies,"
        "  count(*) FILTER (WHERE kf.last_contact_on IS NULL OR kf.last_contact_on < p.stale_before) AS stale"
        "  FROM national_mirrorkeyfigure kf JOIN p ON p.municipality_id = kf.municipality_id GROUP BY 1),"
        " n AS (SELECT municipality_id, count(*) AS neighbourhoods FROM national_mirrorneighbourhood"
        "  WHERE municipality_id = ANY(%s::bigint[]) GROUP BY 1)"
        " SELECT p.municipality_id, coalesce(n.neighbourhoods, 0), coalesce(k.key_figures, 0),"
        " coalesce(k.allies, 0), coalesce(k.stale, 0) FROM p"
        " LEFT JOIN n ON n.municipality_id = p.municipality_id"
        " LEFT JOIN k ON k.municipality_id = p.municipality_id",
        [ids, array(c.stale_before for c in contexts), ids],
    )
    return {
        pk: {"neighbourhoods": n, "key_figures": kf, "allies": allies, "stale_relationships": stale}
        for pk, n, kf, allies, stale in rows
    }


def totals_of(neighbourhoods: Sequence[dict[str, Any]]) -> dict[str, int]:
    """``read_totals``' four numbers of one municipality, from its ``read_neighbourhoods`` rows."""
    return {
        "neighbourhoods": sum(1 for n in neighbourhoods if n["id"] is not None),
        "key_figures": sum(n["key_figure_count"] for n in neighbourhoods),
        "allies": sum(n["ally_count"] for n in neighbourhoods),
        "stale_relationships": sum(n["stale_relationships"] for n in neighbourhoods),
    }


def read_neighbourhoods(contexts: Sequence[Context]) -> dict[int, list[dict[str, Any]]]:
    """Per municipality, its neighbourhoods with key figures, allies and stale relationships counted.

    The entry with ``id`` None holds the key figures living in no neighbourhood of the
    municipality (the map's "elsewhere"). Stale: ``tenants.networkmap.queries.is_stale``
    against the municipality's own stale date.
    """
    if not contexts:
        return {}
    rows = _rows(
        "WITH p AS (SELECT * FROM unnest(%s::bigint[], %s::date[]) AS p(municipality_id, stale_before)),"
        " k AS (SELECT kf.municipality_id, kf.neighbourhood_id, count(*) AS key_figures,"
        "  count(*) FILTER (WHERE kf.is_ally) AS allies,"
        "  count(*) FILTER (WHERE kf.last_contact_on IS NULL OR kf.last_contact_on < p.stale_before) AS stale"
        "  FROM national_mirrorkeyfigure kf JOIN p ON p.municipality_id = kf.municipality_id GROUP BY 1, 2)"
        " SELECT coalesce(n.municipality_id, k.municipality_id), n.source_id, n.name, n.cbs_code,"
        " coalesce(k.key_figures, 0), coalesce(k.allies, 0), coalesce(k.stale, 0)"
        " FROM (SELECT * FROM national_mirrorneighbourhood WHERE municipality_id = ANY(%s::bigint[])) n"
        " FULL OUTER JOIN k ON k.municipality_id = n.municipality_id AND k.neighbourhood_id = n.source_id",
        [_ids(contexts), array(c.stale_before for c in contexts), _ids(contexts)],
    )
    result: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for municipality_id, pk, name, cbs_code, key_figures, allies, stale in rows:
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
    for entries in result.values():
        entries.sort(key=lambda row: (row["id"] is None, row["name"] or "", row["id"] or 0))
    return result


def read_communities(
    contexts: Sequence[Context], *, neighbourhood_id: int | None = None
) -> dict[int, list[dict[str, Any]]]:
    """Per municipality, its communities with key figures and allies counted.

    Municipality-wide by default, as the map's gaps are; with ``neighbourhood_id``, only the
    communities that people living there belong to, counted over those people (the map's
    per-neighbourhood blocks).
    """
    if not contexts:
        return {}
    ids = _ids(contexts)
    # Counted first, joined to the communities after: no row per (community, person) to group.
    # Municipality-wide, only the allies are looked up (a sixth of the key figures): every
    # membership row counts as a person, the mirror keeps no membership without its key figure.
    if neighbourhood_id is None:
        lives_here, join = "", "LEFT JOIN"
        people = (
            "count(*) AS people, count(kf.source_id) AS allies FROM national_mirrorkeyfigurecommunity m"
            " LEFT JOIN national_mirrorkeyfigure kf ON kf.is_ally AND"
        )
    else:
        lives_here, join = " AND kf.neighbourhood_id = %s", "JOIN"
        people = (
            "count(*) AS people, count(*) FILTER (WHERE kf.is_ally) AS allies"
            " FROM national_mirrorkeyfigurecommunity m JOIN national_mirrorkeyfigure kf ON"
        )
    rows = _rows(
        f"WITH counts AS (SELECT m.municipality_id, m.community_id, {people}"
        " kf.municipality_id = m.municipality_id"
        "  AND kf.source_id = m.keyfigure_id"
        f" WHERE m.municipality_id = ANY(%s::bigint[]){lives_here} GROUP BY 1, 2)"
        " SELECT c.municipality_id, c.source_id, c.name, c.kind, coalesce(counts.people, 0),"
        f" coalesce(counts.allies, 0) FROM national_mirrorcommunity c {join} counts"
        " ON counts.municipality_id = c.municipality_id AND counts.community_id = c.source_id"
        " WHERE c.municipality_id = ANY(%s::bigint[])",
        [ids, *([] if neighbourhood_id is None else [neighbourhood_id]), ids],
    )
    result: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for municipality_id, pk, name, kind, key_figures, allies in rows:
        result[municipality_id].append(
            {"id": pk, "name": name, "kind": kind, "key_figure_count": key_figures, "ally_count": allies}
        )
    for entries in result.values():
        entries.sort(key=lambda row: (row["kind"], row["name"], row["id"]))
    return result


def read_councils(contexts: Sequence[Context]) -> dict[int, list[dict[str, Any]]]:
    """Per municipality, its councils with the schedule ``council_schedule`` gives them.

    Held meetings, last held and next planned are counted as ``with_schedule`` counts them;
    ``active``: started and with at least one ally seated (``active_member_count``).
    """
    if not contexts:
        return {}
    by_id = {c.tenant.municipality_id: c for c in contexts}
    ids = _ids(contexts)
    now = contexts[0].now
    rows = _rows(
        "WITH mt AS (SELECT municipality_id, council_id, count(*) FILTER (WHERE status = %s) AS held,"
        "  max(starts_at) FILTER (WHERE status = %s) AS last_held,"
        "  min(starts_at) FILTER (WHERE status = %s AND starts_at >= %s) AS next_planned"
        "  FROM national_mirrormeeting WHERE municipality_id = ANY(%s::bigint[]) GROUP BY 1, 2),"
        " seats AS (SELECT municipality_id, council_id, count(*) AS seated FROM national_mirrorcouncilmember"
        "  WHERE left_on IS NULL AND municipality_id = ANY(%s::bigint[]) GROUP BY 1, 2),"
        " scope AS (SELECT municipality_id, council_id, array_agg(neighbourhood_id ORDER BY neighbourhood_id)"
        "  AS ids FROM national_mirrorcouncilneighbourhood WHERE municipality_id = ANY(%s::bigint[])"
        "  GROUP BY 1, 2)"
        " SELECT c.municipality_id, c.source_id, c.name, c.started_on, c.covers_whole_municipality,"
        " c.municipal_lead_id, c.municipal_deputy_id, c.police_lead_id, c.police_deputy_id,"
        " coalesce(mt.held, 0), mt.last_held, mt.next_planned, coalesce(seats.seated, 0),"
        " coalesce(scope.ids, '{}'::bigint[])"
        " FROM national_mirrorcouncil c"
        " LEFT JOIN mt ON mt.municipality_id = c.municipality_id AND mt.council_id = c.source_id"
        " LEFT JOIN seats ON seats.municipality_id = c.municipality_id AND seats.council_id = c.source_id"
        " LEFT JOIN scope ON scope.municipality_id = c.municipality_id AND scope.council_id = c.source_id"
        " WHERE c.municipality_id = ANY(%s::bigint[])",
        [MeetingStatus.HELD, MeetingStatus.HELD, MeetingStatus.PLANNED, now, ids, ids, ids, ids],
    )
    lead_ids = sorted({pk for row in rows for pk in row[5:9] if pk is not None})
    # One statement for every seat holder's number here (public schema): a seat nobody can call is
    # a gap (tenants.councils.health.seat_gaps decides, as it does in the municipality).
    mobiles = dict(
        _rows("SELECT id, mobile FROM accounts_membership WHERE id = ANY(%s::bigint[])", [array(lead_ids)])
    )

    def holder(pk: int | None) -> SimpleNamespace | None:
        return None if pk is None else SimpleNamespace(mobile=mobiles.get(pk, ""))

    result: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        (municipality_id, pk, name, started_on, whole, m_lead, m_deputy, p_lead, p_deputy) = row[:9]
        seats = SimpleNamespace(
            municipal_lead=holder(m_lead),
            municipal_deputy=holder(m_deputy),
            police_lead=holder(p_lead),
            police_deputy=holder(p_deputy),
        )
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
                "seat_gaps": seat_gaps(seats),
                # Person references, stripped before anything is shown (agora.national.queries).
                "lead_slots": [m_lead, m_deputy, p_lead, p_deputy],
                "lead_membership_ids": [m for m in (m_lead, m_deputy, p_lead, p_deputy) if m is not None],
            }
        )
    for entries in result.values():
        entries.sort(key=lambda row: (row["name"], row["id"]))
    return result


ROLLCALL_ANSWERS = ("coming", "remote", "unable")


def read_crises(
    contexts: Sequence[Context], *, crisis_id: int | None = None
) -> dict[int, list[dict[str, Any]]]:
    """Per municipality, its open crises (drills are no crisis) with their roll-call counted.

    With ``crisis_id``: that one crisis, open or closed (still never a drill).

    Counts only, as a ``summary`` grant may see them: convened, answered coming / remote / unable,
    no answer yet (unreachable ones among them), and whether the quorum was reached (the moment
    the crisis room recorded it, ``Crisis.quorum_at``: the tenant's own rule decides).
    """
    if not contexts:
        return {}
    which = "c.status = 'open'" if crisis_id is None else "c.source_id = %s"
    rows = _rows(
        "SELECT c.municipality_id, c.source_id, c.kind, c.status, c.declared_at, c.deadline_at, c.quorum_at,"
        " c.closed_at,"
        " count(v.id), count(v.id) FILTER (WHERE v.answer = 'coming'),"
        " count(v.id) FILTER (WHERE v.answer = 'remote'), count(v.id) FILTER (WHERE v.answer = 'unable'),"
        " count(v.id) FILTER (WHERE v.answer = ''),"
        " count(v.id) FILTER (WHERE v.answer = '' AND NOT v.reachable)"
        " FROM national_mirrorcrisis c LEFT JOIN national_mirrorconvocation v"
        " ON v.municipality_id = c.municipality_id AND v.crisis_id = c.source_id"
        f" WHERE c.municipality_id = ANY(%s::bigint[]) AND {which} AND NOT c.is_drill"
        " GROUP BY c.municipality_id, c.source_id, c.kind, c.status, c.declared_at, c.deadline_at,"
        " c.quorum_at, c.closed_at",
        [_ids(contexts), *([] if crisis_id is None else [crisis_id])],
    )
    result: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for municipality_id, pk, kind, status, declared_at, deadline_at, quorum_at, closed_at, *counts in rows:
        convened, coming, remote, unable, no_answer, unreachable = counts
        result[municipality_id].append(
            {
                "id": pk,
                "kind": kind,
                "status": status,
                "closed_at": closed_at.isoformat() if closed_at else None,
                "declared_at": declared_at.isoformat(),
                "deadline_at": deadline_at.isoformat(),
                "quorum_reached": quorum_at is not None,
                "quorum_at": quorum_at.isoformat() if quorum_at else None,
                "rollcall": {
                    "convened": convened,
                    "coming": coming,
                    "remote": remote,
                    "unable": unable,
                    "no_answer": no_answer,
                    "unreachable": unreachable,
                },
            }
        )
    for entries in result.values():
        entries.sort(key=lambda row: (row["declared_at"], row["id"]), reverse=True)
    return result


def read_signals(
    contexts: Sequence[Context], *, neighbourhoods: bool = True
) -> dict[tuple[Any, ...], SignalStats]:
    """Signal figures per district, municipality and neighbourhood, in one statement (exact medians).

    Keys: ``("district", id)``, ``("municipality", id)``, ``("neighbourhood", municipality_id, id)``;
    without ``neighbourhoods`` (the summaries), no neighbourhood keys: a tenth of the groups.
    Definitions: ``tenants.signals.stats`` (overdue: waiting since before the municipality's cutoff).
    """
    if not contexts:
        return {}
    # GROUPING() as with all three levels: 1 a municipality's figures, 3 a district's.
    if neighbourhoods:
        finest = " (m.district_id, s.municipality_id, s.neighbourhood_id),"
        levels = "s.neighbourhood_id, GROUPING(s.municipality_id, s.neighbourhood_id)"
    else:
        finest, levels = "", "NULL, GROUPING(s.municipality_id) * 2 + 1"
    rows = _rows(
        "WITH p AS (SELECT * FROM unnest(%s::bigint[], %s::timestamptz[]) AS p(municipality_id, cutoff))"
        f" SELECT m.district_id, s.municipality_id, {levels}, count(*),"
        " count(*) FILTER (WHERE s.first_answered_at IS NOT NULL), count(*) FILTER (WHERE s.status <> %s),"
        " count(*) FILTER (WHERE s.awaiting_answer_since < p.cutoff),"
        " percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM s.response_time))"
        " FROM national_mirrorsignal s JOIN p ON p.municipality_id = s.municipality_id"
        " JOIN municipalities_municipality m ON m.id = s.municipality_id"
        f" GROUP BY GROUPING SETS ({finest} (m.district_id, s.municipality_id), (m.district_id))",
        [_ids(contexts), array(c.overdue_cutoff for c in contexts), SignalStatus.CLOSED],
    )
    result: dict[tuple[Any, ...], SignalStats] = {}
    for district_id, municipality_id, neighbourhood_id, grouping, *figures in rows:
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


QUARTERS_BACK = 8


def quarters(today: dt.date, count: int = QUARTERS_BACK) -> list[tuple[str, dt.date, dt.date]]:
    """The last ``count`` calendar quarters up to today's: (label, first day, last day)."""
    index = today.year * 4 + (today.month - 1) // 3
    result = []
    for q in range(index - count + 1, index + 1):
        year, quarter = divmod(q, 4)
        first = dt.date(year, quarter * 3 + 1, 1)
        last = (dt.date(year + (quarter == 3), (quarter * 3 + 3) % 12 + 1, 1)) - dt.timedelta(days=1)
        result.append((f"{year}-Q{quarter + 1}", first, min(last, today)))
    return result


def read_meetings_per_quarter(
    contexts: Sequence[Context], councils: dict[int, list[dict[str, Any]]]
) -> dict[int, list[dict[str, Any]]]:
    """Per municipality, held meetings against the cadence's due ones, per quarter, two years back.

    Held: by the Amsterdam day of the meeting (as council health counts per year); due:
    ``tenants.councils.health.meetings_due`` for each council over the quarter.
    """
    if not contexts:
        return {}
    periods = quarters(contexts[0].today)
    rows = _rows(
        "SELECT municipality_id, to_char(date_trunc('quarter', starts_at AT TIME ZONE %s), 'YYYY-\"Q\"Q'),"
        " count(*) FROM national_mirrormeeting WHERE municipality_id = ANY(%s::bigint[]) AND status = %s"
        " AND starts_at >= %s GROUP BY 1, 2",
        [timezone.get_current_timezone_name(), _ids(contexts), MeetingStatus.HELD, _aware(periods[0][1])],
    )
    held = {(municipality_id, label): count for municipality_id, label, count in rows}
    result: dict[int, list[dict[str, Any]]] = {}
    for context in contexts:
        pk = context.tenant.municipality_id
        interval = max(context.rules.meeting_interval_weeks, 1) * 7
        result[pk] = [
            {
                "quarter": label,
                "held": held.get((pk, label), 0),
                "due": sum(
                    meetings_due(dt.date.fromisoformat(c["started_on"]), first, last, interval)
                    for c in councils.get(pk, [])
                ),
            }
            for label, first, last in periods
        ]
    return result


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


NO_SIGNALS = stats_from_figures(raised=0, answered=0, open=0, overdue=0, median_seconds=None)


def read_allies(contexts: Sequence[Context], *, neighbourhood_id: int | None = None) -> list[dict[str, Any]]:
    """Person-level: every ally's name and numbers. Only for ``contacts`` grants, and logged by the caller."""
    tenants = [c.tenant for c in contexts]

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
