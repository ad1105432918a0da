"""``agora demo`` migrates only when a schema lacks a migration; a restart on the same data does not."""

from __future__ import annotations

import pytest
from django.db import connection

from agora import cli
from agora.demo import DemoResult
from agora.migration_state import schemas_needing_migration
from tests.platform.test_demo_boot import free_port


def _forget_one_migration(schema: str, app: str) -> None:
    """As if the code had a migration the schema has not seen (rolled back with the test)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f'DELETE FROM "{schema}".django_migrations WHERE id = '
            f'(SELECT max(id) FROM "{schema}".django_migrations WHERE app = %s)',
            [app],
        )
        assert cursor.rowcount == 1


def test_a_migrated_database_needs_nothing(utrecht, amersfoort) -> None:
    assert schemas_needing_migration() == []
    assert connection.schema_name == "public"


@pytest.mark.parametrize(
    ("schema", "app", "expected"),
    [
        ("public", "accounts", ["public"]),
        ("gm_utrecht", "networkmap", ["gm_utrecht"]),
        ("agora_template", "signals", ["agora_template"]),
    ],
)
def test_a_schema_missing_a_migration_is_named(utrecht, amersfoort, schema, app, expected) -> None:
    _forget_one_migration(schema, app)
    assert schemas_needing_migration() == expected


def test_a_shared_app_missing_in_a_tenant_schema_does_not_count(utrecht) -> None:
    """Tenant schemas carry only the tenant apps' tables; the rest of their rows do not matter."""
    _forget_one_migration("gm_utrecht", "accounts")
    assert schemas_needing_migration() == []


def test_a_schema_without_a_migrations_table_is_pending(utrecht) -> None:
    with connection.cursor() as cursor:
        cursor.execute('ALTER TABLE "gm_utrecht".django_migrations RENAME TO django_migrations_away')
    assert schemas_needing_migration() == ["gm_utrecht"]


@pytest.fixture
def demo_without_serving(monkeypatch):
    """``command_demo`` up to serving, with the demo load and the server stubbed: what it migrates."""
    migrated: list[int] = []
    monkeypatch.setenv("SECURE_COOKIES", "0")
    monkeypatch.setattr(cli, "migrate", lambda verbosity=1: migrated.append(verbosity))
    monkeypatch.setattr(cli, "_serve", lambda host, port, **kwargs: 0)
    monkeypatch.setattr("agora.demo.load_demo", lambda **kwargs: DemoResult())
    monkeypatch.setenv("AGORA_CLUSTER_CACHE", "")  # no prepared cluster from a test run
    args = cli.build_parser().parse_args(["demo", "--port", str(free_port())])
    return lambda: (cli.command_demo(args), migrated)


def test_a_restart_with_nothing_to_migrate_says_nothing_about_migrating(
    utrecht, amersfoort, demo_without_serving, capsys
) -> None:
    assert demo_without_serving() == (0, [])
    assert "Migrating" not in capsys.readouterr().out


def test_a_pending_migration_is_applied_and_announced(
    utrecht, amersfoort, demo_without_serving, capsys
) -> None:
    _forget_one_migration("gm_amersfoort", "councils")
    assert demo_without_serving() == (0, [0])
    assert "Migrating" in capsys.readouterr().out
