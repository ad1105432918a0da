"""The two database roles: the owner migrates and provisions, the application only reads and writes.

The application role (``DATABASE_URL``'s user) is not a superuser and owns no table, so it can
neither ``TRUNCATE`` the audit tables, nor ``DISABLE``/``DROP`` their triggers, nor set
``session_replication_role`` (docs/security.md, "Database roles"). On the audit tables it may
only ``INSERT`` and ``SELECT``. The owner role (``DATABASE_OWNER_URL``) owns every table,
runs the migrations, creates municipalities' schemas (django-tenants' clone) and grants.

:func:`grant_app_role` is the one place that says what the application may do; ``agora
migrate``, provisioning, the embedded database and the test of the roles all call it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import connections
from psycopg import sql

# Append-only in the database (audit migrations 0002, 0003, 0005): INSERT and SELECT only.
AUDIT_TABLES = ("audit_auditevent", "audit_personrecordread")
TABLE_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"


def grant_statements(app_role: str, owner_role: str, schemas: list[str]) -> list[sql.Composed]:
    """What the application role may do, for these schemas and for every schema created later."""
    app, owner = sql.Identifier(app_role), sql.Identifier(owner_role)
    statements = [
        # Nothing may be created by the application: no schema, no table in public.
        sql.SQL("REVOKE CREATE ON SCHEMA public FROM PUBLIC"),
        sql.SQL("REVOKE CREATE ON DATABASE {} FROM PUBLIC, {}").format(
            sql.Identifier(settings.DATABASES["default"]["NAME"]), app
        ),
    ]
    for name in schemas:
        schema = sql.Identifier(name)
        statements += [
            sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, app),
            sql.SQL("REVOKE CREATE ON SCHEMA {} FROM {}").format(schema, app),
            sql.SQL(f"GRANT {TABLE_PRIVILEGES} ON ALL TABLES IN SCHEMA {{}} TO {{}}").format(schema, app),
            sql.SQL("REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA {} FROM {}").format(
                schema, app
            ),
            sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(schema, app),
        ]
    # Schemas the owner creates later (a municipality cloned from the template) grant the same.
    statements += [
        sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} GRANT USAGE ON SCHEMAS TO {}").format(owner, app),
        sql.SQL(f"ALTER DEFAULT PRIVILEGES FOR ROLE {{}} GRANT {TABLE_PRIVILEGES} ON TABLES TO {{}}").format(
            owner, app
        ),
        sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} GRANT USAGE, SELECT ON SEQUENCES TO {}").format(
            owner, app
        ),
    ]
    for table in AUDIT_TABLES:
        statements += [
            sql.SQL("REVOKE ALL ON TABLE public.{} FROM {}").format(sql.Identifier(table), app),
            sql.SQL("GRANT SELECT, INSERT ON TABLE public.{} TO {}").format(sql.Identifier(table), app),
        ]
    return statements


def app_schemas(cursor: Any) -> list[str]:
    """public, the template and every municipality's schema: the schemas the application uses."""
    cursor.execute(
        "SELECT nspname FROM pg_namespace WHERE nspname = 'public' OR nspname = %s "
        "OR nspname IN (SELECT schema_name FROM public.municipalities_municipality) ORDER BY nspname",
        [settings.AGORA_TEMPLATE_SCHEMA],
    )
    return [row[0] for row in cursor.fetchall()]


def grant_app_role(
    cursor: Any, app_role: str | None = None, *, schemas: list[str] | None = None
) -> str | None:
    """Grant ``app_role`` (default: the application's configured user) its privileges, as the owner.

    Runs on the owner connection ``cursor``; idempotent. Returns the role granted, or None when
    the application connects as the owner itself (a single-role development set-up).
    """
    app_role = app_role or getattr(settings, "AGORA_DATABASE_APP_ROLE", "")
    cursor.execute("SELECT current_user")
    owner_role = cursor.fetchone()[0]
    if not app_role or app_role == owner_role:
        return None
    for statement in grant_statements(app_role, owner_role, schemas or app_schemas(cursor)):
        cursor.execute(statement)
    return app_role


def owner_settings() -> dict[str, Any]:
    """The connection settings that differ for the owner role ({} when no owner is configured)."""
    return dict(getattr(settings, "AGORA_DATABASE_OWNER", None) or {})


@contextlib.contextmanager
def as_owner() -> Iterator[None]:
    """Run the block on the owner's connection (migrations, provisioning), then go back.

    The default connection is closed and reopened with the owner's credentials, so everything in
    the block (django-tenants' schema clone included) runs as the owner; without an owner
    configured this does nothing.
    """
    owner = owner_settings()
    if not owner:
        yield
        return
    connection = connections["default"]
    saved = {key: connection.settings_dict.get(key) for key in owner}
    connection.close()
    connection.settings_dict.update(owner)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)
