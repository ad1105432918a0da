"""One SQL statement across many municipalities' schemas (see docs/adr/0009-national-aggregation.md).

The national figures come from the public read model; what must stay in the municipalities'
schemas (names and numbers, for a ``contacts`` grant) is read here, never by a loop with a query
per schema per table: ONE ``UNION ALL`` statement with a branch per granted schema. Schema names
come from the public ``Municipality`` rows only, are checked against the shape provisioning
gives them, and are quoted with :class:`psycopg.sql.Identifier`; table names come from the
models. No value from a request ever reaches the SQL text: ids travel as parameters.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from psycopg import sql

from agora.municipalities.models import Municipality

# What provisioning names schemas (agora.municipalities.naming.schema_name_for): lower-case
# ASCII, digits and underscores, at most 63 bytes. Anything else is refused before it nears SQL.
SCHEMA_NAME = re.compile(r"\A[a-z_][a-z0-9_]{0,62}\Z")
RESERVED_SCHEMAS = frozenset({"public", "information_schema", "pg_catalog", "pg_toast"})


@dataclass(frozen=True)
class Tenant:
    """A granted municipality as the aggregates see it: its ids and its (validated) schema."""

    municipality_id: int
    district_id: int
    schema: str
    name: str
    cbs_code: str
    slug: str


def checked_schema(name: str) -> str:
    if not SCHEMA_NAME.match(name or "") or name in RESERVED_SCHEMAS or name.startswith("pg_"):
        raise ValueError(f"not a municipality schema: {name!r}")
    return name


def tenants_of(district_ids: Iterable[int], *, municipality_id: int | None = None) -> list[Tenant]:
    """The municipalities of these districts (one query), ordered by district and name."""
    rows = Municipality.objects.filter(district_id__in=list(district_ids))
    if municipality_id is not None:
        rows = rows.filter(pk=municipality_id)
    columns = ("pk", "district_id", "schema_name", "name", "cbs_code", "slug")
    return [
        Tenant(pk, district_id, checked_schema(schema), name, code, slug)
        for pk, district_id, schema, name, code, slug in rows.order_by(
            "district_id", "name", "pk"
        ).values_list(*columns)
    ]


def table(tenant: Tenant, model: type[Model] | str) -> sql.Identifier:
    """``"schema"."table"`` of a tenant model (or of a table named explicitly, e.g. an M2M table)."""
    name = model if isinstance(model, str) else model._meta.db_table
    return sql.Identifier(tenant.schema, name)


Branch = Callable[[Tenant], tuple[sql.Composable, Sequence[Any]]]


def union_all(tenants: Sequence[Tenant], branch: Branch) -> tuple[sql.Composed, list[Any]]:
    """``branch(t1) UNION ALL branch(t2) ...`` and the parameters in order."""
    parts: list[sql.Composable] = []
    params: list[Any] = []
    for tenant in tenants:
        statement, values = branch(tenant)
        parts.append(sql.SQL("({})").format(statement))
        params.extend(values)
    return sql.SQL(" UNION ALL ").join(parts), params


@contextmanager
def national_read() -> Iterator[None]:
    """One transaction (one snapshot) for a view's statements, without PostgreSQL's JIT compiler.

    A statement over hundreds of schemas has a high estimated cost, so PostgreSQL JIT-compiles it:
    measured 1.5 s of code generation for a 50-municipality statement that runs in 10 ms. Off for
    these transactions only (``SET LOCAL``); deployments may turn it off for the role as well.
    """
    with transaction.atomic():
        if connection.schema_name != "public":
            connection.set_schema_to_public()
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield


def fetch(statement: sql.Composable, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Run one statement (from the public schema: every table is schema-qualified)."""
    if connection.schema_name != "public":  # setting it again would cost a SET per statement
        connection.set_schema_to_public()
    connection.ensure_connection()
    text = statement.as_string(connection.connection)
    with connection.cursor() as cursor:
        cursor.execute(text, list(params))
        return cursor.fetchall()


Wrap = Callable[[sql.Composable], sql.Composable]


def fetch_union(
    tenants: Sequence[Tenant], branch: Branch, *, wrap: Wrap | None = None
) -> list[tuple[Any, ...]]:
    """One statement over every tenant; nothing at all (no statement) when there are none."""
    if not tenants:
        return []
    statement, params = union_all(tenants, branch)
    if wrap is not None:
        statement = wrap(statement)
    return fetch(statement, params)
