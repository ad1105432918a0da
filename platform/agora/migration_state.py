"""Which schemas still lack a migration: the cheap check that lets ``agora demo`` skip migrating.

``migrate_schemas`` on a database with nothing to do still costs seconds (it loads every migration
and walks every schema, then runs the post-migrate handlers), and ``agora demo`` used to say
"Migrating (the first run ... takes a while)" on every restart. Reading the migration files once and
comparing them with each schema's ``django_migrations`` rows costs a fraction of that. The check errs
on the safe side: anything it cannot read counts as pending, so the real migration runs.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django_tenants.routers import TenantSyncRouter

PUBLIC_SCHEMA = "public"

Key = tuple[str, str]


def _wanted(loader: MigrationLoader, apps: Iterable[str]) -> set[Key]:
    """The graph's migrations of ``apps`` (squashed migrations stand for the ones they replace)."""
    router = TenantSyncRouter()
    app_list = list(apps)
    return {key for key in loader.graph.nodes if router.app_in_list(key[0], app_list)}


def _recorded(schema: str) -> set[Key] | None:
    """The migrations recorded in ``schema``; None if it has no ``django_migrations`` table (yet)."""
    table = f"{connection.ops.quote_name(schema)}.django_migrations"
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
        if not cursor.fetchone()[0]:
            return None
        cursor.execute(f"SELECT app, name FROM {table}")  # the schema name is quoted above
        return {(app, name) for app, name in cursor.fetchall()}


def recorded_migrations(schema: str) -> set[Key] | None:
    """The migrations recorded in ``schema`` (a backup's manifest carries them); None without a table."""
    return _recorded(schema)


def _missing(wanted: set[Key], recorded: set[Key] | None, loader: MigrationLoader) -> bool:
    if recorded is None:
        return True
    for key in wanted - recorded:
        replaced = loader.replacements.get(key)
        # A squashed migration counts as applied when everything it replaces is recorded.
        if replaced is None or not set(replaced.replaces) <= recorded:
            return True
    return False


def known_migrations() -> set[Key]:
    """Every migration file of this version of the code (a tenant schema records shared apps' too)."""
    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def schemas_needing_migration() -> list[str]:
    """The schemas (public, each municipality's, the template) that lack a migration, in that order.

    Empty means ``agora migrate`` would have nothing to do. The database itself must exist
    (``agora.database.ensure_database``); a schema without a migrations table counts as pending.
    """
    from agora.municipalities.template import template_schema_name

    loader = MigrationLoader(None, ignore_no_migrations=True)
    shared = _wanted(loader, settings.SHARED_APPS)
    tenant = _wanted(loader, settings.TENANT_APPS)
    connection.set_schema_to_public()
    if _missing(shared, _recorded(PUBLIC_SCHEMA), loader):
        # Without the public tables the municipalities cannot even be listed: migrate everything.
        return [PUBLIC_SCHEMA]
    from agora.municipalities.models import Municipality

    tenant_schemas = list(Municipality.objects.order_by("schema_name").values_list("schema_name", flat=True))
    tenant_schemas.append(template_schema_name())
    return [schema for schema in tenant_schemas if _missing(tenant, _recorded(schema), loader)]
