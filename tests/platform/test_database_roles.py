"""The application's database role cannot get around the audit trail (issue 13.2).

The suite connects as a superuser (pytest-django creates the test database). This test creates
a real login role in the test database's cluster, grants it exactly what the product grants
(``agora.dbroles.grant_app_role``, the one function ``agora migrate`` and provisioning call),
connects as that role and tries every way around the append-only audit tables.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from psycopg import sql

from agora.dbroles import AUDIT_TABLES, grant_app_role

pytestmark = pytest.mark.django_db


def _superuser_connection() -> psycopg.Connection:
    db = connection.settings_dict
    return psycopg.connect(
        dbname=db["NAME"],
        user=db["USER"],
        password=db["PASSWORD"] or None,
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        autocommit=True,
    )


@pytest.fixture
def app_role(utrecht) -> Iterator[psycopg.Connection]:
    """A connection as a fresh non-superuser role, granted as the product grants; dropped after."""
    role = f"agora_app_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    password = uuid.uuid4().hex
    with _superuser_connection() as admin:
        admin.execute(
            sql.SQL(
                "CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD {}"
            ).format(sql.Identifier(role), sql.Literal(password))
        )
        try:
            with admin.cursor() as cursor:
                assert grant_app_role(cursor, role) == role
                # As provisioning grants a new municipality's schema: this connection cannot see
                # Utrecht's row when a flush elsewhere made the test restore it uncommitted.
                grant_app_role(cursor, role, schemas=[utrecht.schema_name])
            db = connection.settings_dict
            with psycopg.connect(
                dbname=db["NAME"],
                user=role,
                password=password,
                host=db["HOST"] or None,
                port=db["PORT"] or None,
                autocommit=True,
            ) as app:
                yield app
        finally:
            admin.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
            admin.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


REFUSED = [
    ("TRUNCATE audit_auditevent", "permission denied"),
    ("TRUNCATE audit_personrecordread", "permission denied"),
    ("TRUNCATE audit_auditevent, audit_personrecordread CASCADE", "permission denied"),
    ("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only", "must be owner"),
    ("ALTER TABLE audit_personrecordread DISABLE TRIGGER ALL", "must be owner"),
    ("ALTER TABLE audit_personrecordread DISABLE TRIGGER audit_personrecordread_chain", "must be owner"),
    ("DROP TRIGGER audit_auditevent_append_only ON audit_auditevent", "must be owner"),
    ("DROP TRIGGER audit_personrecordread_no_truncate ON audit_personrecordread", "must be owner"),
    ("DROP FUNCTION agora_audit_append_only() CASCADE", "must be owner"),
    ("SET session_replication_role = replica", "permission denied"),
    ("SET LOCAL session_replication_role = replica", "permission denied"),
    ("UPDATE audit_auditevent SET detail = '{}'", "permission denied"),
    ("UPDATE audit_personrecordread SET purpose = 'x'", "permission denied"),
    ("DELETE FROM audit_auditevent", "permission denied"),
    ("DELETE FROM audit_personrecordread", "permission denied"),
    ("DROP TABLE audit_auditevent", "must be owner"),
    ("ALTER TABLE audit_auditevent OWNER TO CURRENT_USER", "must be owner"),
    ("CREATE TABLE public.mine (id int)", "permission denied"),
    ("CREATE SCHEMA mine", "permission denied"),
    (
        "CREATE OR REPLACE FUNCTION agora_audit_append_only() RETURNS trigger AS 'BEGIN RETURN NULL; END' "
        "LANGUAGE plpgsql",
        "permission denied for schema public",
    ),
]


def test_the_application_role_cannot_get_around_the_audit_trail(app_role):
    refused = []
    for statement, message in REFUSED:
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as error, app_role.transaction():
            app_role.execute(statement)
        assert message in str(error.value), (statement, str(error.value))
        refused.append(statement)
    assert len(refused) == len(REFUSED)


def test_the_application_role_is_what_the_product_needs(app_role, utrecht):
    """Not superuser, owns nothing; INSERT and SELECT on the audit tables; DML on the tenants'."""
    role = app_role.execute("SELECT current_user").fetchone()[0]
    assert app_role.execute(
        "SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = %s", [role]
    ).fetchone() == (False, False, False)
    owned = app_role.execute(
        "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = %s", [role]
    ).fetchone()[0]
    assert owned == 0
    for table in AUDIT_TABLES:
        privileges = {
            privilege
            for privilege in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "TRIGGER", "REFERENCES")
            if app_role.execute(
                "SELECT has_table_privilege(%s, %s, %s)", [role, f"public.{table}", privilege]
            ).fetchone()[0]
        }
        assert privileges == {"SELECT", "INSERT"}, table
    # It can work: write an audit row, read it, and read and write a municipality's tables.
    with app_role.transaction():
        app_role.execute(
            "INSERT INTO audit_auditevent"
            " (created_at, action, object_type, object_id, detail, municipality_id)"
            " VALUES (now(), 'test.role', '', '', '{}', %s)",
            [utrecht.pk],
        )
        assert app_role.execute(
            "SELECT count(*) FROM audit_auditevent WHERE action = 'test.role'"
        ).fetchone()[0]
        app_role.execute(f'SET search_path = "{utrecht.schema_name}", public')
        app_role.execute(
            "INSERT INTO networkmap_neighbourhood (name, cbs_code) VALUES ('Rolwijk', '') RETURNING id"
        )
        app_role.execute("DELETE FROM networkmap_neighbourhood WHERE name = 'Rolwijk'")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            app_role.execute("TRUNCATE networkmap_neighbourhood CASCADE")


def test_a_schema_the_owner_creates_later_is_granted_by_default(app_role):
    """Default privileges: a municipality provisioned after the grant is usable at once."""
    schema = f"gm_roles_{uuid.uuid4().hex[:8]}"
    with _superuser_connection() as owner:
        owner.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        try:
            owner.execute(
                sql.SQL("CREATE TABLE {}.t (id serial PRIMARY KEY, v text)").format(sql.Identifier(schema))
            )
            with app_role.transaction():
                app_role.execute(sql.SQL("INSERT INTO {}.t (v) VALUES ('x')").format(sql.Identifier(schema)))
                assert (
                    app_role.execute(
                        sql.SQL("SELECT count(*) FROM {}.t").format(sql.Identifier(schema))
                    ).fetchone()[0]
                    == 1
                )
        finally:
            owner.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


def test_settings_take_the_owner_from_its_own_variable(monkeypatch):
    """DATABASE_URL is the application, DATABASE_OWNER_URL (or MIGRATE_DATABASE_URL) the owner."""
    import importlib

    import agora.settings as live

    monkeypatch.setenv("DATABASE_URL", "postgres://agora_app:apppw@db.example:5432/agora")
    monkeypatch.setenv("MIGRATE_DATABASE_URL", "postgres://agora_owner:ownerpw@db.example:5432/agora")
    try:
        reloaded = importlib.reload(live)
        assert reloaded.DATABASES["default"]["USER"] == "agora_app"
        assert reloaded.AGORA_DATABASE_APP_ROLE == "agora_app"
        assert reloaded.AGORA_DATABASE_OWNER == {
            "USER": "agora_owner",
            "PASSWORD": "ownerpw",
            "HOST": "db.example",
            "PORT": "5432",
        }
    finally:
        monkeypatch.undo()
        importlib.reload(live)
    assert settings.DATABASES["default"]["NAME"]
