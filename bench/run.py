"""Provisioning a municipality: cloning the template schema vs. running the tenant migrations.

ADR 0002 chose cloning because ``migrate_schemas`` per new schema costs seconds and grows with
every app and migration; this measures both on the current set of apps, side by side in one
run (interleaved, so drift in the machine's load hits both alike), and prints the medians and
their ratio. Only the schema work is timed: the rows provisioning writes (municipality, domain,
audit) are the same for both methods.

    python -m bench provision [--runs 5]          # or: python bench/run.py

Uses DATABASE_URL, else the embedded PostgreSQL in AGORA_DATA_DIR. Every schema it creates is
dropped again, also on failure.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setup() -> None:
    for folder in (ROOT, ROOT / "platform"):
        if str(folder) not in sys.path:
            sys.path.insert(0, str(folder))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agora.settings")
    import django

    django.setup()


def _timed(action: Callable[[], None]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _drop(schema: str) -> None:
    from django.db import connection

    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _clone(schema: str) -> None:
    from django.db import connection, transaction
    from django_tenants.clone import CloneSchema

    from agora.municipalities.template import template_schema_name

    connection.set_schema_to_public()
    with transaction.atomic():
        CloneSchema().clone_schema(template_schema_name(), schema, "DATA")


def _migrate(schema: str) -> None:
    from django.core.management import call_command
    from django.db import connection

    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{schema}"')
    call_command("migrate_schemas", tenant=True, schema_name=schema, interactive=False, verbosity=0)
    connection.set_schema_to_public()


def _tenant_migration_count() -> tuple[int, int]:
    """(tenant apps, tenant migrations) in the current code."""
    from django.conf import settings
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    tenant_labels = {name.rsplit(".", 1)[-1] for name in settings.TENANT_APPS}
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    migrations = [key for key in loader.disk_migrations if key[0] in tenant_labels]
    return len(settings.TENANT_APPS), len(migrations)


def run(runs: int) -> dict[str, list[float]]:
    """Time ``runs`` clones and ``runs`` migrations, interleaved, after one untimed warm-up each."""
    from agora.municipalities.template import ensure_template_schema

    ensure_template_schema(verbosity=0)
    tag = f"{os.getpid()}"
    timings: dict[str, list[float]] = {"clone": [], "migrate": []}
    created: list[str] = []
    try:
        for run_number in range(runs + 1):
            for method, action in (("clone", _clone), ("migrate", _migrate)):
                schema = f"bench_{method}_{tag}_{run_number}"
                created.append(schema)
                elapsed = _timed(lambda action=action, schema=schema: action(schema))
                if run_number:  # run 0 warms caches and creates the clone function
                    timings[method].append(elapsed)
                _drop(schema)
                created.remove(schema)
    finally:
        for schema in created:
            _drop(schema)
    return timings


def render(timings: dict[str, list[float]], apps: int, migrations: int) -> str:
    from django.db import connection

    clone, migrate = (statistics.median(timings[m]) for m in ("clone", "migrate"))
    lines = [
        f"Provisioning one municipality's schema ({apps} tenant apps, {migrations} tenant migrations; "
        f"PostgreSQL {connection.pg_version // 10000}, {len(timings['clone'])} runs each)",
        "",
        f"| {'method':<40} | {'median s':>8} | {'min s':>7} | {'max s':>7} |",
        f"| {'-' * 40} | {'-' * 8}:| {'-' * 6}:| {'-' * 6}:|",
    ]
    for method, label in (
        ("clone", "clone template schema"),
        ("migrate", "create schema + migrate_schemas --schema"),
    ):
        values = timings[method]
        lines.append(
            f"| {label:<40} | {statistics.median(values):>8.3f} | {min(values):>7.3f} | {max(values):>7.3f} |"
        )
    lines += ["", f"ratio migrate/clone (medians): {migrate / clone:.1f}x"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench provision", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="timed repetitions per method (default 5)")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    _setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    from agora.database import ensure_database

    try:
        ensure_database()
        # The public schema must exist for migrate_schemas to run against a tenant schema.
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        apps, migrations = _tenant_migration_count()
        timings = run(args.runs)
        print(render(timings, apps, migrations))
    finally:
        connections.close_all()
        if not settings.DATABASE_URL:
            from agora import embedded

            embedded.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
