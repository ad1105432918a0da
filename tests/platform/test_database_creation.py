"""`agora migrate`/demo/bench create the configured database on a fresh server."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from django.db import connection

from agora.database import ensure_database


@pytest.mark.django_db
def test_missing_database_is_created_once(settings):
    if not settings.DATABASE_URL:
        pytest.skip("the embedded database is created by agora.embedded")
    name = f"agora_created_{uuid.uuid4().hex[:8]}"
    config = {**settings.DATABASES["default"], "NAME": name}
    params = connection.get_connection_params()
    params.pop("dbname", None)
    params.pop("context", None)
    params.pop("cursor_factory", None)
    params.pop("prepare_threshold", None)
    try:
        assert ensure_database(config) is True
        assert ensure_database(config) is False
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            assert admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
