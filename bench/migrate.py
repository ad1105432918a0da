"""Deploying one new tenant migration to many municipalities: serial against parallel, in one run.

    python -m bench migrate                 # 342 municipalities (created on the first run, kept)
    python -m bench migrate --tenants 4     # a smoke test
    python -m bench migrate --workers 2     # processes of the parallel run (default: twice the CPUs)

Works in a database of its own (``<name>_migrate_bench`` next to DATABASE_URL's, or the
embedded server's), with Agora's settings plus one tenant app, ``bench.new_migration``, whose
one migration adds a table with an index. Municipalities are provisioned as in production
(cloned from the template schema). Before each timed run the new migration is undone in every
schema (its table dropped and its ``django_migrations`` row deleted, in one statement), so each
run deploys exactly one new migration to every municipality with ``migrate_schemas``: once
with django-tenants' standard executor (one schema after another) and once with
``agora-parallel`` (``agora.municipalities.parallel_migration``), interleaved ``--runs`` times.

Target (issue 14): parallel at least 1.8x faster than serial on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

TARGET_RATIO = 1.8
PREFIX = "migratebench"
APP = "bench_new_migration"


def use_bench_database() -> None:
    from django.db import connections

    from agora.database import ensure_database

    config = connections["default"].settings_dict
    if not config["NAME"].endswith("_migrate_bench"):
        config["NAME"] = f"{config['NAME']}_migrate_bench"
    connections["default"].close()
    ensure_database(config)


def ensure_municipalities(count: int) -> list[str]:
    """``count`` bench municipalities (provisioned when missing); their schema names."""
    from agora.geography.models import PoliceDistrict, PoliceUnit
    from agora.municipalities.models import Municipality
    from agora.municipalities.provisioning import provision_municipality

    unit, _ = PoliceUnit.objects.get_or_create(name="Bench-eenheid migratie")
    district, _ = PoliceDistrict.objects.get_or_create(unit=unit, name="Migratiedistrict")
    existing = set(Municipality.objects.filter(slug__startswith=PREFIX).values_list("slug", flat=True))
    for n in range(count):
        slug = f"{PREFIX}{n:03d}"
        if slug not in existing:
            provision_municipality(
                name=f"Migratiestad {n:03d}", cbs_code=f"GM{7000 + n:04d}", district=district, slug=slug
            )
    return list(
        Municipality.objects.filter(slug__in=[f"{PREFIX}{n:03d}" for n in range(count)]).values_list(
            "schema_name", flat=True
        )
    )


def undo_new_migration(schemas: list[str]) -> None:
    """Every schema back to "one migration behind": the table gone, the migration not recorded."""
    from django.db import connection, transaction
    from psycopg import sql

    connection.set_schema_to_public()
    with transaction.atomic(), connection.cursor() as cursor:
        for schema in schemas:
            name = sql.Identifier(schema)
            cursor.execute(sql.SQL("DROP TABLE IF EXISTS {}.bench_new_migration_note").format(name))
            cursor.execute(sql.SQL("DELETE FROM {}.django_migrations WHERE app = %s").format(name), [APP])


def applied(schemas: list[str]) -> int:
    """How many schemas have the new migration recorded."""
    from django.db import connection

    total = 0
    with connection.cursor() as cursor:
        for schema in schemas:
            cursor.execute(f'SELECT count(*) FROM "{schema}".django_migrations WHERE app = %s', [APP])
            total += cursor.fetchone()[0]
    return total


def timed_migrate(executor: str, schemas: list[str]) -> float:
    from django.core.management import call_command
    from django.db import connections

    undo_new_migration(schemas)
    connections.close_all()
    started = time.perf_counter()
    call_command("migrate_schemas", tenant=True, interactive=False, verbosity=0, executor=executor)
    elapsed = time.perf_counter() - started
    if applied(schemas) != len(schemas):
        raise SystemExit(f"{executor}: the new migration is missing in some schemas")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench migrate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--tenants", type=int, default=342, help="municipalities (default 342)")
    parser.add_argument("--runs", type=int, default=1, help="timed runs per executor (default 1)")
    parser.add_argument("--workers", type=int, default=None, help="parallel processes (default 2x CPUs)")
    args = parser.parse_args(argv)
    if args.tenants < 1 or args.runs < 1:
        parser.error("--tenants and --runs must be at least 1")
    if args.workers:
        os.environ["AGORA_MIGRATE_WORKERS"] = str(args.workers)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.migrate_settings"

    from bench.run import _setup

    _setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, connections

    from agora.municipalities.parallel_migration import workers

    try:
        use_bench_database()
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        from agora.municipalities.template import ensure_template_schema

        ensure_template_schema(verbosity=0)
        schemas = ensure_municipalities(args.tenants)
        timings: dict[str, list[float]] = {"standard": [], "agora-parallel": []}
        for _ in range(args.runs):
            for executor in timings:
                timings[executor].append(timed_migrate(executor, schemas))
        pg = connection.pg_version // 10000
    finally:
        connections.close_all()
        if not settings.DATABASE_URL:
            from agora import embedded

            embedded.stop()

    serial, parallel = (statistics.median(timings[name]) for name in ("standard", "agora-parallel"))
    ratio = serial / parallel
    print(
        f"Deploying one new tenant migration to {len(schemas)} municipalities "
        f"(PostgreSQL {pg}, {os.cpu_count()} CPUs, {workers()} workers, {args.runs} run(s) each)"
    )
    print()
    print(f"| {'executor':<32} | {'median s':>8} | {'per schema ms':>13} |")
    print(f"| {'-' * 32} | {'-' * 7}:| {'-' * 12}:|")
    for name, label in (("standard", "serial (standard)"), ("agora-parallel", "parallel (agora-parallel)")):
        value = statistics.median(timings[name])
        print(f"| {label:<32} | {value:>8.2f} | {value / len(schemas) * 1000:>13.0f} |")
    print()
    verdict = "met" if ratio >= TARGET_RATIO else "MISSED"
    print(f"serial/parallel: {ratio:.2f}x (target >= {TARGET_RATIO}x): {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
