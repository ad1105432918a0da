"""Offboarding a municipality: its schema and every public row about it go; a tombstone and the
audit trail stay (docs/adr/0020-tenant-lifecycle.md).

Removed, in one transaction: the schema (``DROP SCHEMA ... CASCADE``: the network map, the
councils, the signals, the crises, the access log's subjects), and every public row that refers
to the municipality except the audit tables: its memberships, its domains (so its host answers
404, see ``agora.municipalities.middleware``), its national read-model mirror rows, and whatever
table refers to it later (found in the catalogue, so a new table cannot be forgotten).

Kept: the audit trail (append-only; ids and codes, no personal data) and the municipality's
row as a tombstone (``offboarded_at``, its schema name changed to one that never exists), because
the audit trail refers to it. National grants are per police unit or district, never per
municipality, so they stay for the district's other municipalities; users are global and stay.
There are no uploaded files (import files are read in memory, no model has a FileField) and no
per-tenant cache keys (one global KEY_PREFIX; the login counters are per user and address):
tests/platform/test_lifecycle.py fails if either appears, so this module is extended then.

The schema goes first inside the transaction, not last: its tables refer to the memberships
(deferred foreign keys), and PostgreSQL's DDL is transactional, so a failure later still
leaves the schema in place.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone
from psycopg import sql

from agora.audit.actions import record_action
from agora.dbroles import AUDIT_TABLES
from agora.municipalities.errors import MUNICIPALITY_UNKNOWN, OFFBOARD_NOT_CONFIRMED
from agora.municipalities.models import Municipality

logger = logging.getLogger(__name__)

# Public tables whose rows about a municipality outlive it.
KEPT_TABLES = frozenset(AUDIT_TABLES)
TOMBSTONE_SCHEMA_PREFIX = "offboarded_"


@dataclass(frozen=True)
class Offboarded:
    municipality: Municipality
    schema: str  # the schema that was dropped
    removed: dict[str, int]  # public table -> rows deleted


def referencing_columns() -> list[tuple[str, str]]:
    """(table, column) of every public foreign key to the municipality table, from the catalogue."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.conrelid::regclass::text, a.attname FROM pg_constraint c"
            " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]"
            " WHERE c.contype = 'f' AND c.confrelid = 'public.municipalities_municipality'::regclass"
            " AND c.connamespace = 'public'::regnamespace ORDER BY 1, 2"
        )
        return [(table.removeprefix("public."), column) for table, column in cursor.fetchall()]


def do_offboard_municipality(slug: str, *, confirm: str, acting_user=None) -> Offboarded:
    """Remove ``slug`` for good; ``confirm`` must repeat the slug (a typo removes nothing)."""
    if confirm != slug:
        raise OFFBOARD_NOT_CONFIRMED(fields={"confirm": [confirm]}, slug=slug)
    with transaction.atomic():
        connection.set_schema_to_public()
        with connection.cursor() as cursor:  # not while a provisioning or restore checks names
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('agora.provision_municipality'))")
        municipality = Municipality.objects.select_for_update().filter(slug=slug).first()
        if municipality is None:
            raise MUNICIPALITY_UNKNOWN(fields={"slug": [slug]}, slug=slug)
        schema = municipality.schema_name
        removed: dict[str, int] = {}
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
            for table, column in referencing_columns():
                if table in KEPT_TABLES or table == Municipality._meta.db_table:
                    continue
                statement = sql.SQL("DELETE FROM {} WHERE {} = %s")
                cursor.execute(
                    statement.format(sql.Identifier(table), sql.Identifier(column)), [municipality.pk]
                )
                if cursor.rowcount:
                    removed[table] = removed.get(table, 0) + cursor.rowcount
        # update(), not save(): TenantMixin.save() is for living tenants.
        Municipality.all_objects.filter(pk=municipality.pk).update(
            offboarded_at=timezone.now(), schema_name=f"{TOMBSTONE_SCHEMA_PREFIX}{municipality.pk}"
        )
        municipality.refresh_from_db()
        record_action(
            "municipality.offboarded",
            actor=acting_user,
            municipality=municipality,
            detail={"cbs_code": municipality.cbs_code, "schema": schema, "removed": removed},
        )
    logger.info("Offboarded %s: schema %s dropped, %s", municipality, schema, removed)
    return Offboarded(municipality, schema, removed)
