"""Give a cloned schema the constraint and index names of the schema it was cloned from.

django-tenants' ``clone_schema`` recreates tables with ``CREATE TABLE … (LIKE … INCLUDING ALL)``,
which names plain unique constraints and their indexes the PostgreSQL way
(``networkmap_community_kind_name_key``) instead of the model's name (``community_unique_name``).
Nothing breaks at once, but a later migration that drops or alters a constraint by its model name
would fail on every cloned municipality. So right after cloning, in the same transaction, each
constraint and index of the clone is renamed to its template twin: same table, same definition.
"""

from __future__ import annotations

from django.db import connection
from psycopg import sql

_CONSTRAINTS = """
    SELECT t.relname, c.conname, pg_get_constraintdef(c.oid)
    FROM pg_constraint c
    JOIN pg_class t ON t.oid = c.conrelid
    JOIN pg_namespace n ON n.oid = c.connamespace
    WHERE n.nspname = %s AND c.contype IN ('u', 'c', 'x')
"""
# Indexes that no constraint owns (partial unique constraints are indexes in PostgreSQL).
_INDEXES = """
    SELECT i.tablename, i.indexname, replace(i.indexdef, ' ON ' || quote_ident(%s) || '.', ' ON ')
    FROM pg_indexes i
    WHERE i.schemaname = %s
      AND NOT EXISTS (
        SELECT 1 FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
        WHERE n.nspname = i.schemaname AND c.conname = i.indexname
      )
"""


def _rows(query: str, params: list[str]) -> dict[tuple[str, str], str]:
    """{(table, definition): name}; the index name is cut out of an index's definition."""
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        found: dict[tuple[str, str], str] = {}
        for table, name, definition in cursor.fetchall():
            found[(table, definition.replace(f" {name} ON ", " ? ON "))] = name
        return found


def restore_constraint_names(template: str, schema: str) -> int:
    """Rename ``schema``'s constraints and indexes to their twins' names in ``template``; returns how many."""
    renamed = 0
    with connection.cursor() as cursor:
        theirs = _rows(_CONSTRAINTS, [template])
        for key, name in _rows(_CONSTRAINTS, [schema]).items():
            wanted = theirs.get(key)
            if wanted and wanted != name:
                cursor.execute(
                    sql.SQL("ALTER TABLE {}.{} RENAME CONSTRAINT {} TO {}").format(
                        sql.Identifier(schema),
                        sql.Identifier(key[0]),
                        sql.Identifier(name),
                        sql.Identifier(wanted),
                    )
                )
                renamed += 1
        theirs = _rows(_INDEXES, [template, template])
        for key, name in _rows(_INDEXES, [schema, schema]).items():
            wanted = theirs.get(key)
            if wanted and wanted != name:
                cursor.execute(
                    sql.SQL("ALTER INDEX {}.{} RENAME TO {}").format(
                        sql.Identifier(schema), sql.Identifier(name), sql.Identifier(wanted)
                    )
                )
                renamed += 1
    return renamed


def restore_all_constraint_names() -> int:
    """Repair every municipality cloned before the rename existed (``agora migrate`` runs this)."""
    from django.db import transaction

    from agora.municipalities.models import Municipality
    from agora.municipalities.template import template_schema_name

    renamed = 0
    for schema in Municipality.objects.exclude(schema_name="public").values_list("schema_name", flat=True):
        with transaction.atomic():
            renamed += restore_constraint_names(template_schema_name(), schema)
    return renamed
