"""The national view at national scale: one statement per aggregate against the naive per-schema loop.

    python -m bench national            # 50, 100, 200, 342 municipalities (first run builds them)
    python -m bench national --quick    # 3 and 6 municipalities, one run: a smoke test
    python -m bench national --rebuild  # drop the bench municipalities first (after migrations)

Works in a database of its own (``<name>_national_bench`` next to DATABASE_URL's, or the
embedded server's): the bench's 342 municipalities never mix with the demo or the tests.

Every municipality is realistic in size (ADR 0009): 10 neighbourhoods, 8 communities, 60 key
figures of whom 10 allies, a council with two years of meetings every six weeks (with
attendance) and two years of signals. One seed schema is filled through the ORM, and each
municipality's schema is copied from it with bulk SQL (``CREATE TABLE ... LIKE ... INCLUDING
ALL`` and ``INSERT ... SELECT``): structure and indexes as provisioning makes them, in a
fraction of a clone's time. Schemas are kept between runs; municipality rows are re-created
for each size, so the growth steps are exact.

Measured at each size, interleaved:

- the full view (``agora.national.queries.national_overview``) of an analyst granted every unit;
- the naive loop: per municipality, enter its schema and ask the tenant read models
  (``network_map``, ``council_health``, ``signal_stats``): what reusing them per schema costs;
- provisioning one more municipality (``provision_municipality``, rolled back).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

SEED = "bench_seed"
PREFIX = "gm_bench_"
UNITS = 10
DISTRICTS_PER_UNIT = 4
FULL_SIZES = (50, 100, 200, 342)
QUICK_SIZES = (3, 6)
TARGET_MS = 150.0
TARGET_RATIO = 10.0
TARGET_PROVISION_GROWTH = 0.10


@dataclass
class Step:
    tenants: int
    view: list[float] = field(default_factory=list)
    loop: list[float] = field(default_factory=list)
    provision: list[float] = field(default_factory=list)
    statements: int = 0

    @property
    def view_ms(self) -> float:
        return statistics.median(self.view) * 1000

    @property
    def loop_ms(self) -> float:
        return statistics.median(self.loop) * 1000

    @property
    def provision_ms(self) -> float:
        return statistics.median(self.provision) * 1000


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _execute(statement: str, params: list | None = None) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _schemas(prefix: str) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE %s ORDER BY 1", [prefix + "%"])
        return [row[0] for row in cursor.fetchall()]


def _geography():
    from agora.geography.models import PoliceDistrict, PoliceUnit

    districts = []
    for u in range(UNITS):
        unit, _ = PoliceUnit.objects.get_or_create(name=f"Bench-eenheid {u + 1:02d}")
        for d in range(DISTRICTS_PER_UNIT):
            districts.append(
                PoliceDistrict.objects.get_or_create(unit=unit, name=f"District {u + 1}.{d + 1}")[0]
            )
    return districts


def _seed_lead():
    """The seed council's lead (a membership of the first bench municipality's row)."""
    from agora.accounts.models import User

    return User.objects.get_or_create(username="bench-lead", defaults={"first_name": "Bench"})[0]


def build_seed() -> None:
    """Fill ``bench_seed`` (cloned from the template) with one realistic municipality."""
    from django.db import connection, transaction
    from django.utils import timezone
    from django_tenants.clone import CloneSchema

    from agora.municipalities.template import template_schema_name
    from tenants.councils.models import Attendance, Council, CouncilMember, CouncilRules, Meeting
    from tenants.networkmap.models import Community, KeyFigure, Neighbourhood
    from tenants.signals.models import Signal

    connection.set_schema_to_public()
    with transaction.atomic():
        CloneSchema().clone_schema(template_schema_name(), SEED, "DATA")
        lead_user = _seed_lead()
        connection.set_schema(SEED, include_public=True)
        now = timezone.now()
        today = timezone.localdate()
        CouncilRules.objects.get_or_create(singleton=True)
        neighbourhoods = Neighbourhood.objects.bulk_create(
            Neighbourhood(name=f"Wijk {n:02d}", cbs_code=f"WK0001{n:02d}") for n in range(10)
        )
        communities = Community.objects.bulk_create(
            Community(kind=("religious", "origin", "group")[c % 3], name=f"Gemeenschap {c}") for c in range(8)
        )
        people = KeyFigure.objects.bulk_create(
            KeyFigure(
                first_name=f"Voornaam{k}",
                last_name=f"Achternaam{k}",
                mobile=f"+3161{k:07d}",
                neighbourhood=neighbourhoods[k % 10] if k % 12 else None,
                is_ally=k < 10,
                last_contact_on=today - dt.timedelta(days=(k * 7) % 400),
            )
            for k in range(60)
        )
        through = KeyFigure.communities.through
        # Communities 0-5 have people (6 with one person only), 7 nobody: the map has gaps.
        through.objects.bulk_create(
            [through(keyfigure_id=kf.pk, community_id=communities[k % 6].pk) for k, kf in enumerate(people)]
            + [through(keyfigure_id=people[0].pk, community_id=communities[6].pk)]
        )
        from agora.accounts.models import Membership
        from agora.municipalities.models import Municipality

        first = Municipality.objects.order_by("pk").first()
        official = Membership.objects.get_or_create(
            user=lead_user, municipality=first, defaults={"role": "official"}
        )[0]
        started = today - dt.timedelta(days=730)
        council = Council.objects.create(
            name="Bondgenotenoverleg", municipal_lead=official, police_lead=official, started_on=started
        )
        seats = CouncilMember.objects.bulk_create(
            CouncilMember(council=council, key_figure=kf, joined_on=started) for kf in people[:10]
        )
        start = now - dt.timedelta(days=730)
        meetings = Meeting.objects.bulk_create(
            Meeting(
                council=council,
                starts_at=start + dt.timedelta(weeks=6 * m),
                place="Buurthuis",
                meal="Soep en brood",
                status="cancelled" if m % 7 == 3 else "held",
            )
            for m in range(17)
        )
        Meeting.objects.create(
            council=council, starts_at=now + dt.timedelta(days=14), place="Buurthuis", meal="Couscous"
        )
        Attendance.objects.bulk_create(
            Attendance(meeting=meeting, member=seat, present=(i + j) % 4 != 0)
            for i, meeting in enumerate(meetings)
            if meeting.status == "held"
            for j, seat in enumerate(seats)
        )
        signals = []
        for s in range(24):
            raised = start + dt.timedelta(days=30 * s)
            answered = s % 5 != 0
            signals.append(
                Signal(
                    ally=people[s % 10],
                    category="pest",
                    neighbourhood=neighbourhoods[s % 10],
                    description="Overlast",
                    status="closed" if answered else "new",
                    raised_at=raised,
                    first_answered_at=raised + dt.timedelta(hours=6 + s) if answered else None,
                    response_time=dt.timedelta(hours=6 + s) if answered else None,
                    awaiting_answer_since=None if answered else raised,
                )
            )
        Signal.objects.bulk_create(signals)
    connection.set_schema_to_public()


def copy_seed(schema: str, tables: list[str]) -> None:
    """A municipality's schema as a bulk copy of the seed (structure, indexes, rows)."""
    from psycopg import sql

    from agora.national.feed import FEEDS, trigger_sql
    from agora.national.schemas import checked_schema

    checked_schema(schema)
    parts = [sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema))]
    for name in tables:
        target, source = sql.Identifier(schema, name), sql.Identifier(SEED, name)
        parts.append(sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING ALL)").format(target, source))
        parts.append(sql.SQL("INSERT INTO {} SELECT * FROM {}").format(target, source))
    # The feed's triggers, as provisioning's clone gives them (the rows are fed when the row exists).
    parts += [trigger_sql(feed, schema) for feed in FEEDS]
    from django.db import connection

    connection.ensure_connection()
    _execute(sql.SQL("; ").join(parts).as_string(connection.connection))


def ensure_schemas(count: int) -> None:
    """``gm_bench_000`` .. ``count - 1``: the ones a previous run left are kept."""
    from django.db import connection, transaction

    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY 1", [SEED])
        tables = [row[0] for row in cursor.fetchall()]
    existing = set(_schemas(PREFIX))
    for number in range(count):
        schema = f"{PREFIX}{number:03d}"
        if schema not in existing:
            with transaction.atomic():
                copy_seed(schema, tables)


def set_municipalities(count: int, districts, *, feed: bool = True) -> None:
    """Exactly ``count`` bench municipality rows (and domains), spread over the districts."""
    from agora.municipalities.models import Domain, Municipality
    from agora.municipalities.provisioning import host_for

    Domain.objects.filter(tenant__schema_name__startswith=PREFIX).delete()
    Municipality.objects.filter(schema_name__startswith=PREFIX).exclude(pk=_keep_id()).delete()
    rows = []
    for number in range(count):
        schema = f"{PREFIX}{number:03d}"
        if Municipality.objects.filter(schema_name=schema).exists():
            continue
        rows.append(
            Municipality(
                name=f"Benchgemeente {number:03d}",
                cbs_code=f"GM{9000 - number:04d}",
                slug=f"bench-{number:03d}",
                schema_name=schema,
                district=districts[number % len(districts)],
            )
        )
    created = Municipality.objects.bulk_create(rows)
    if feed:
        feed_existing_rows([m.schema_name for m in created])
    Domain.objects.bulk_create(
        Domain(domain=host_for(m.slug), tenant=m, is_primary=True)
        for m in Municipality.objects.filter(schema_name__startswith=PREFIX)
    )


def feed_existing_rows(schemas: list[str]) -> None:
    """What the tenant migration does for rows already there: fill the read model from them."""
    from django.db import connection

    from agora.national.feed import FEEDS, backfill_sql

    connection.ensure_connection()
    for schema in schemas:
        _execute("; ".join(backfill_sql(feed, schema).as_string(connection.connection) for feed in FEEDS))


def _keep_id() -> int | None:
    """The seed's lead membership points at the first municipality row: that one stays."""
    from agora.accounts.models import Membership

    membership = Membership.objects.filter(user__username="bench-lead").first()
    return membership.municipality_id if membership else None


def analyst_granted_everything():
    from django.utils import timezone

    from agora.accounts.models import User
    from agora.geography.models import PoliceUnit
    from agora.national.access import live_grants
    from agora.national.actions import do_grant_national_access

    operator, _ = User.objects.get_or_create(username="bench-operator", defaults={"is_superuser": True})
    analyst, _ = User.objects.get_or_create(username="bench-analyst", defaults={"is_national_analyst": True})
    granted = set(live_grants(analyst).values_list("unit_id", flat=True))
    for unit in PoliceUnit.objects.exclude(pk__in=granted):
        do_grant_national_access(
            analyst,
            unit=unit,
            level="summary",
            purpose="bench",
            valid_until=timezone.now() + dt.timedelta(days=1),
            acting_user=operator,
        )
    return analyst


def naive_loop() -> None:
    """What the national view would cost by asking each schema's own read models in turn."""
    from django.db import connection

    from agora.municipalities.models import Municipality
    from tenants.councils.health import council_health
    from tenants.networkmap.queries import network_map
    from tenants.signals.stats import signal_stats

    for municipality in Municipality.objects.filter(schema_name__startswith=PREFIX):
        connection.set_tenant(municipality)
        network_map()
        council_health()
        signal_stats()
    connection.set_schema_to_public()


def provision_once(number: int) -> None:
    """Provision one more municipality the production way, then roll it all back."""
    from django.db import connection, transaction

    from agora.geography.models import PoliceDistrict
    from agora.municipalities.provisioning import provision_municipality

    district = PoliceDistrict.objects.first()
    with transaction.atomic():
        provision_municipality(
            name=f"Nieuwe gemeente {number}", cbs_code=f"GM{8000 - number:04d}", district=district
        )
        transaction.set_rollback(True)
    connection.set_schema_to_public()


NOFEED_TEMPLATE = "bench_template_nofeed"


def feed_overhead(runs: int) -> tuple[float, float]:
    """Cloning the template with the feed's triggers against a copy without them (medians, s).

    What the read model costs provisioning: the only thing it adds to a new schema is its triggers.
    Interleaved, each clone rolled back.
    """
    from django.db import connection, transaction
    from django_tenants.clone import CloneSchema

    from agora.municipalities.template import template_schema_name
    from agora.national.feed import FEEDS

    connection.set_schema_to_public()
    if not _schemas(NOFEED_TEMPLATE):
        with transaction.atomic():
            CloneSchema().clone_schema(template_schema_name(), NOFEED_TEMPLATE, "DATA")
            for feed in FEEDS:
                _execute(f'DROP TRIGGER IF EXISTS national_feed ON "{NOFEED_TEMPLATE}"."{feed.source}"')
    timings: dict[str, list[float]] = {"feed": [], "none": []}
    for number in range(runs + 1):
        for key, source in (("feed", template_schema_name()), ("none", NOFEED_TEMPLATE)):

            def clone(source: str = source, target: str = f"bench_clone_{number}") -> None:
                with transaction.atomic():
                    CloneSchema().clone_schema(source, target, "DATA")
                    transaction.set_rollback(True)

            elapsed = _timed(clone)
            if number:
                timings[key].append(elapsed)
    return statistics.median(timings["feed"]), statistics.median(timings["none"])


def run(sizes: tuple[int, ...], runs: int) -> list[Step]:
    """Build (or reuse) the municipalities and measure each size; leaves the schemas for next time."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from agora.municipalities.template import ensure_template_schema
    from agora.national.queries import national_overview

    ensure_template_schema(verbosity=0)
    connection.set_schema_to_public()
    districts = _geography()
    if not _schemas(SEED):
        # The first municipality row must exist for the seed's lead membership.
        set_municipalities(1, districts, feed=False)
        build_seed()
        ensure_schemas(1)
        feed_existing_rows([f"{PREFIX}000"])
    analyst = analyst_granted_everything()
    steps = []
    for size in sizes:
        ensure_schemas(size)
        set_municipalities(size, districts)
        step = Step(size)
        national_overview(analyst)  # warm-up: plans, catalogue caches
        naive_loop()
        with CaptureQueriesContext(connection) as captured:
            national_overview(analyst)
        step.statements = sum(1 for q in captured.captured_queries if not q["sql"].startswith("SET "))
        for number in range(runs):
            step.view.append(_timed(lambda: national_overview(analyst)))
            step.loop.append(_timed(naive_loop))
            step.provision.append(_timed(lambda number=number: provision_once(number)))
        steps.append(step)
    return steps


def drop_all() -> None:
    """Schemas first (their foreign keys point at public rows), then the bench's public rows."""
    from agora.municipalities.models import Domain, Municipality

    for schema in [*_schemas(PREFIX), *_schemas(SEED), *_schemas(NOFEED_TEMPLATE)]:
        _execute(f'DROP SCHEMA "{schema}" CASCADE')
    Domain.objects.filter(tenant__schema_name__startswith=PREFIX).delete()
    # Raw: the ORM would look for the membership in tenant tables (neighbourhood officers) here.
    _execute(
        "DELETE FROM accounts_membership WHERE user_id IN "
        "(SELECT id FROM accounts_user WHERE username = 'bench-lead')"
    )
    Municipality.objects.filter(schema_name__startswith=PREFIX).delete()


def render(steps: list[Step]) -> str:
    from django.db import connection

    lines = [
        f"National view: full view of an analyst granted every unit vs. the naive per-schema loop "
        f"(PostgreSQL {connection.pg_version // 10000}, {len(steps[0].view)} runs each, medians)",
        "",
        f"| {'municipalities':>14} | {'statements':>10} | {'full view ms':>12} | {'naive loop ms':>13} | "
        f"{'loop/view':>9} | {'provision ms':>12} |",
        f"| {'-' * 13}:| {'-' * 9}:| {'-' * 11}:| {'-' * 12}:| {'-' * 8}:| {'-' * 11}:|",
    ]
    for s in steps:
        lines.append(
            f"| {s.tenants:>14} | {s.statements:>10} | {s.view_ms:>12.1f} | {s.loop_ms:>13.1f} | "
            f"{s.loop_ms / s.view_ms:>8.1f}x | {s.provision_ms:>12.1f} |"
        )
    first, last = steps[0], steps[-1]
    growth = last.provision_ms / first.provision_ms - 1
    ratio = last.loop_ms / last.view_ms
    lines += [
        "",
        f"at {last.tenants}: full view {last.view_ms:.1f} ms (target < {TARGET_MS:.0f}: "
        f"{_verdict(last.view_ms < TARGET_MS)}), {ratio:.1f}x faster than "
        f"the loop (target >= {TARGET_RATIO:.0f}x: {_verdict(ratio >= TARGET_RATIO)})",
        f"full view growth {first.tenants} -> {last.tenants} municipalities: "
        f"{last.view_ms / first.view_ms:.2f}x; naive loop: {last.loop_ms / first.loop_ms:.2f}x",
        f"provisioning {first.tenants} -> {last.tenants} municipalities: {growth:+.1%} (not the read "
        f"model's: django-tenants' clone_schema reads a catalogue that grows with every schema; "
        f"the feed's own share is the next line)",
    ]
    return "\n".join(lines)


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def use_bench_database() -> None:
    """Point the default connection at ``<name>_national_bench`` (created when missing)."""
    from django.db import connections

    from agora.database import ensure_database

    config = connections["default"].settings_dict
    if not config["NAME"].endswith("_national_bench"):
        config["NAME"] = f"{config['NAME']}_national_bench"
    connections["default"].close()
    ensure_database(config)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench national", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"sizes {QUICK_SIZES}, one run (smoke test)")
    parser.add_argument("--sizes", help=f"comma-separated municipality counts (default {FULL_SIZES})")
    parser.add_argument("--runs", type=int, default=None, help="timed repetitions per size (default 5)")
    parser.add_argument("--rebuild", action="store_true", help="drop the bench municipalities first")
    args = parser.parse_args(argv)
    sizes = (
        tuple(int(s) for s in args.sizes.split(","))
        if args.sizes
        else (QUICK_SIZES if args.quick else FULL_SIZES)
    )
    runs = args.runs or (1 if args.quick else 5)
    if min(sizes) < 1 or runs < 1:
        parser.error("sizes and runs must be at least 1")

    from bench.run import _setup

    _setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    try:
        use_bench_database()
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        if args.rebuild:
            drop_all()
        steps = run(tuple(sorted(sizes)), runs)
        with_feed, without = feed_overhead(runs)
        print(render(steps))
        print(
            f"provisioning with the feed's triggers {with_feed * 1000:.0f} ms, "
            f"without {without * 1000:.0f} ms: "
            f"{with_feed / without - 1:+.1%} (target <= {TARGET_PROVISION_GROWTH:+.0%}: "
            f"{_verdict(with_feed / without - 1 <= TARGET_PROVISION_GROWTH)})"
        )
    finally:
        connections.close_all()
        if not settings.DATABASE_URL:
            from agora import embedded

            embedded.stop()
    return 0
