"""The template schema that new municipalities are cloned from.

Running every tenant migration per new municipality costs seconds and grows with the number of
apps; cloning a migrated template costs a fraction (see ``bench/``). The template holds only the
tables and the ``django_migrations`` rows, never data. It is brought up to date by
``agora migrate`` / ``agora demo`` and checked before every provisioning.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django_tenants.utils import schema_context, schema_exists

logger = logging.getLogger(__name__)


def template_schema_name() -> str:
    return settings.AGORA_TEMPLATE_SCHEMA


def template_is_current() -> bool:
    """True when the template exists and has every tenant migration applied."""
    name = template_schema_name()
    if not schema_exists(name):
        return False
    with schema_context(name):
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        # Only the tenant apps' migrations are applied in a tenant schema.
        from django_tenants.routers import TenantSyncRouter

        router = TenantSyncRouter()
        pending = [m for m, _ in plan if router.app_in_list(m.app_label, settings.TENANT_APPS)]
    return not pending


def ensure_template_schema(verbosity: int = 0) -> bool:
    """Create or migrate the template schema; return True if anything had to be done."""
    name = template_schema_name()
    if template_is_current():
        return False
    if not schema_exists(name):
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{name}"')
    logger.info("Migrating the template schema %s", name)
    call_command("migrate_schemas", tenant=True, schema_name=name, interactive=False, verbosity=verbosity)
    connection.set_schema_to_public()
    return True
