"""Restoring a backup into a NEW municipality: new row, new schema, new domain; never an overwrite.

How the schema is renamed (docs/adr/0020-tenant-lifecycle.md): pg_restore writes each section
of the dump as SQL (``--file=-``), and the schema qualifier is rewritten, never the data:

- pre-data and post-data (DDL) are executed after every ``old_schema.`` qualifier (and the one
  ``CREATE SCHEMA old_schema;``) names the new schema. pg_dump qualifies every name and quotes
  none of ours (``gm_`` + ``[a-z0-9_]``), and the match is anchored on whole identifiers, so
  ``gm_utrecht`` never touches ``gm_utrecht_west``.
- data is parsed as what pg_restore writes there: ``COPY old.table (...) FROM stdin;`` blocks
  and ``setval`` calls. Only those headers are rewritten; each block's rows go to PostgreSQL's
  COPY untouched, so a row that happens to contain the schema's name stays as it was.

Everything runs on the Django connection in ONE transaction with the new municipality's row,
its domain and the national read model's backfill: a failure anywhere leaves nothing behind.
Rejected: restoring into the original schema name (impossible while it exists, and it would
have to be renamed under live traffic) and a scratch database (the tenant tables' foreign
keys point into ``public``, which a scratch database does not have).

Memberships are public rows and are not restored as access. The restored history (an
approval, a handover) still names who acted, through membership ids of the old municipality;
each one is re-linked to an INACTIVE membership of the same user and role in the new
municipality (it grants nothing until an operator activates it), so that offboarding the old
municipality later cannot be blocked by the copy's references.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django_tenants.routers import TenantSyncRouter
from psycopg import sql

from agora.accounts.models import Membership, User
from agora.audit.actions import record_action
from agora.dbroles import grant_app_role
from agora.errors import DomainError
from agora.geography.models import PoliceDistrict, PoliceUnit
from agora.migration_state import known_migrations, schemas_needing_migration
from agora.municipalities.backup import Manifest, read_manifest
from agora.municipalities.errors import (
    BACKUP_NEWER_THAN_CODE,
    BACKUP_UNREADABLE,
    MUNICIPALITY_NAME_TAKEN,
    RESTORE_REFERENCE_MISSING,
    RESTORE_TARGET_EXISTS,
)
from agora.municipalities.models import Domain, Municipality
from agora.municipalities.pg_client import run_client
from agora.municipalities.provisioning import checked_identity, host_for, lock_and_refuse_collisions
from agora.national.feed import FEEDS, backfill_sql

logger = logging.getLogger(__name__)

SECTIONS = ("pre-data", "data", "post-data")


@dataclass(frozen=True)
class Restored:
    municipality: Municipality
    tables: int  # COPY blocks loaded
    rows: int
    relinked_memberships: int  # inactive memberships created for the restored history
    migrated: bool  # the backup was older than the code and the new schema was migrated


def section_sql(dump: Path, section: str) -> str:
    """One section of the dump as SQL text, as pg_restore writes it (no owners, no grants)."""
    return run_client(
        "pg_restore", ["--no-owner", "--no-acl", f"--section={section}", "--file=-", str(dump)]
    ).decode("utf-8")


def _qualifier(old: str) -> re.Pattern[str]:
    # The whole identifier, followed by "." (a qualified name) or ";" (CREATE SCHEMA x;).
    return re.compile(rf"(?<![\w$\"]){re.escape(old)}(?=[.;])")


def _session_line(line: str) -> str | None:
    """pg_restore's session settings, scoped to our transaction; psql meta-commands dropped.

    ``SET`` becomes ``SET LOCAL`` (it ends with the transaction instead of staying on a pooled
    connection). The empty search_path is left out: every name is qualified, and the rest of
    the transaction (the municipality's row) runs in ``public``.
    """
    if line.startswith("\\"):  # \restrict / \unrestrict: psql's, meaningless here
        return None
    if line.startswith("SELECT pg_catalog.set_config('search_path'"):
        return None
    if line.startswith("SET "):
        return "SET LOCAL " + line[4:]
    return line


def rewrite_ddl(text: str, old: str, new: str) -> str:
    """A pre-data or post-data section for schema ``new`` instead of ``old`` (comments dropped)."""
    lines = []
    for line in text.splitlines():
        if line.startswith("--"):
            continue
        kept = _session_line(line)
        if kept is not None:
            lines.append(kept)
    return _qualifier(old).sub(new, "\n".join(lines))


@dataclass(frozen=True)
class CopyBlock:
    statement: str  # COPY new.table (columns) FROM STDIN
    rows: list[str]  # COPY text format, one row a line, untouched


def data_statements(text: str, old: str, new: str) -> Iterator[CopyBlock | str]:
    """The data section as COPY blocks and plain statements (``setval``) for schema ``new``."""
    copy_prefix, setval_prefix = f"COPY {old}.", f"SELECT pg_catalog.setval('{old}."
    lines = iter(text.splitlines())
    for line in lines:
        if not line or line.startswith("--") or _session_line(line) != line or line.startswith("SET "):
            continue
        if line.startswith(copy_prefix) and line.endswith(" FROM stdin;"):
            statement = f"COPY {new}." + line[len(copy_prefix) : -len(" FROM stdin;")] + " FROM STDIN"
            rows = []
            for row in lines:
                if row == "\\.":
                    break
                rows.append(row)
            else:
                raise BACKUP_UNREADABLE(path=old, reason="a COPY block does not end")
            yield CopyBlock(statement, rows)
        elif line.startswith(setval_prefix):
            yield f"SELECT pg_catalog.setval('{new}." + line[len(setval_prefix) :]
        else:
            raise BACKUP_UNREADABLE(path=old, reason=f"unexpected data statement {line[:60]!r}")


def _check_migrations(manifest: Manifest) -> None:
    unknown = {tuple(key) for key in manifest.migrations} - known_migrations()
    if unknown:
        names = ", ".join(f"{app}.{name}" for app, name in sorted(unknown)[:5])
        raise BACKUP_NEWER_THAN_CODE(migrations=names)


def membership_columns() -> list[tuple[str, str, bool]]:
    """(table, column, nullable) of every tenant column that points at a membership."""
    router = TenantSyncRouter()
    found = []
    for model in apps.get_models(include_auto_created=True):
        if not router.app_in_list(model._meta.app_label, list(settings.TENANT_APPS)):
            continue
        for field in model._meta.local_fields:
            if field.is_relation and field.related_model is Membership:
                found.append((model._meta.db_table, field.column, field.null))
    return sorted(found)


def _relink_memberships(cursor, manifest: Manifest, schema: str, municipality: Municipality) -> int:
    """Point the restored history at inactive memberships of the new municipality (see above)."""
    columns = []
    for table, column, nullable in membership_columns():
        cursor.execute(
            "SELECT 1 FROM information_schema.columns WHERE table_schema = %s AND table_name = %s"
            " AND column_name = %s",
            [schema, table, column],
        )
        if cursor.fetchone():
            columns.append((table, column, nullable))
    referenced: set[int] = set()
    for table, column, _nullable in columns:
        cursor.execute(
            sql.SQL("SELECT DISTINCT {c} FROM {t} WHERE {c} IS NOT NULL").format(
                c=sql.Identifier(column), t=sql.Identifier(schema, table)
            )
        )
        referenced |= {row[0] for row in cursor.fetchall()}
    known = {entry["id"]: entry for entry in manifest.memberships}
    users = set(
        User.objects.filter(pk__in=[known[i]["user_id"] for i in referenced if i in known]).values_list(
            "pk", flat=True
        )
    )
    mapping: dict[int, int] = {}
    for old_id in sorted(referenced):
        entry = known.get(old_id)
        if entry is None or entry["user_id"] not in users:
            continue
        membership, _ = Membership.objects.get_or_create(
            user_id=entry["user_id"],
            municipality=municipality,
            defaults={"role": entry["role"], "is_active": False},
        )
        mapping[old_id] = membership.pk
    cursor.execute(
        "CREATE TEMPORARY TABLE agora_restore_membership"
        " (old_id bigint PRIMARY KEY, new_id bigint) ON COMMIT DROP"
    )
    for old_id, new_id in mapping.items():
        cursor.execute("INSERT INTO agora_restore_membership VALUES (%s, %s)", [old_id, new_id])
    for table, column, nullable in columns:
        target, col = sql.Identifier(schema, table), sql.Identifier(column)
        cursor.execute(
            sql.SQL(
                "SELECT count(*) FROM {t} WHERE {c} IS NOT NULL"
                " AND {c} NOT IN (SELECT old_id FROM agora_restore_membership)"
            ).format(t=target, c=col)
        )
        missing = cursor.fetchone()[0]
        if missing and not nullable:
            raise RESTORE_REFERENCE_MISSING(count=missing, column=f"{table}.{column}")
        cursor.execute(
            sql.SQL(
                "UPDATE {t} SET {c} = m.new_id FROM agora_restore_membership m WHERE {t}.{c} = m.old_id"
            ).format(t=target, c=col)
        )
        if missing:  # nullable: the reference is dropped, the row kept
            cursor.execute(
                sql.SQL(
                    "UPDATE {t} SET {c} = NULL WHERE {c} IS NOT NULL"
                    " AND {c} NOT IN (SELECT new_id FROM agora_restore_membership)"
                ).format(t=target, c=col)
            )
    cursor.execute("DROP TABLE agora_restore_membership")
    return len(mapping)


def feed_triggers(schema: str) -> set[str]:
    """The tenant tables of ``schema`` that carry the national feed's trigger."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = %s AND t.tgname = 'national_feed' AND NOT t.tgisinternal",
            [schema],
        )
        return {row[0] for row in cursor.fetchall()}


def _backfill_national_mirror(cursor, schema: str) -> None:
    """The triggers come with post-data, after the rows: fill the mirror once, as migrations do."""
    missing = {feed.source for feed in FEEDS} - feed_triggers(schema)
    if missing:
        raise BACKUP_UNREADABLE(path=schema, reason=f"national feed triggers missing on {sorted(missing)}")
    for feed in FEEDS:
        cursor.execute(backfill_sql(feed, schema))


def _load(cursor, dump: Path, old: str, new: str) -> tuple[int, int, str]:
    """pre-data and data into schema ``new``; the post-data SQL is returned for after the re-link."""
    sections = {section: section_sql(dump, section) for section in SECTIONS}
    cursor.execute(rewrite_ddl(sections["pre-data"], old, new))
    tables = rows = 0
    for item in data_statements(sections["data"], old, new):
        if isinstance(item, CopyBlock):
            with cursor.cursor.copy(item.statement) as copy:
                if item.rows:
                    copy.write("\n".join(item.rows) + "\n")
            tables += 1
            rows += len(item.rows)
        else:
            cursor.execute(item)
    return tables, rows, rewrite_ddl(sections["post-data"], old, new)


def do_restore_municipality(
    dump: Path,
    *,
    slug: str,
    name: str,
    cbs_code: str,
    district: PoliceDistrict | None = None,
    acting_user=None,
) -> Restored:
    """Restore ``dump`` as a new municipality ``slug``; refuse any slug, code or name taken.

    The police district defaults to the backed-up municipality's (by unit and district name).
    A backup older than the code is migrated after the restore; a newer one is refused.
    """
    dump = Path(dump)
    manifest = read_manifest(dump)
    _check_migrations(manifest)
    name, code, slug, schema = checked_identity(name=name, cbs_code=cbs_code, slug=slug)
    try:
        with transaction.atomic():
            try:
                lock_and_refuse_collisions(name=name, code=code, slug=slug, schema_name=schema)
            except DomainError as error:
                if error.spec is MUNICIPALITY_NAME_TAKEN:
                    raise RESTORE_TARGET_EXISTS(
                        fields={"slug": [slug]}, slug=slug, other=error.params.get("other", schema)
                    ) from error
                raise
            if district is None:
                unit, _ = PoliceUnit.objects.get_or_create(name=manifest.unit)
                district, _ = PoliceDistrict.objects.get_or_create(unit=unit, name=manifest.district)
            municipality = Municipality.objects.create(
                name=name, cbs_code=code, slug=slug, district=district, schema_name=schema
            )
            with connection.cursor() as cursor:
                tables, rows, post_data = _load(cursor, dump, manifest.schema, schema)
                relinked = _relink_memberships(cursor, manifest, schema, municipality)
                cursor.execute(post_data)
                _backfill_national_mirror(cursor, schema)
                grant_app_role(cursor, schemas=[schema])
            Domain.objects.create(domain=host_for(slug), tenant=municipality, is_primary=True)
            record_action(
                "municipality.restored",
                actor=acting_user,
                municipality=municipality,
                detail={
                    "from_schema": manifest.schema,
                    "schema": schema,
                    "sha256": manifest.sha256,
                    "rows": rows,
                    "relinked_memberships": relinked,
                },
            )
    except IntegrityError as error:  # a row that appeared outside the lock (e.g. the admin)
        raise RESTORE_TARGET_EXISTS(fields={"slug": [slug]}, slug=slug, other=schema) from error
    connection.set_schema_to_public()
    migrated = False
    if schema in schemas_needing_migration():
        call_command("migrate_schemas", tenant=True, schema_name=schema, interactive=False, verbosity=0)
        connection.set_schema_to_public()
        migrated = True
    logger.info("Restored %s from %s as schema %s (%d rows)", municipality, manifest.schema, schema, rows)
    return Restored(municipality, tables, rows, relinked, migrated)
