"""/healthz and /readyz answer on every host, and /readyz reports its dependencies."""

from __future__ import annotations

import pytest
from django.test import Client

from agora.municipalities.provisioning import host_for
from tests.ports import free_port
from tests.services import require_redis

HOSTS = {
    "tenant": host_for("utrecht"),
    "public": "localhost",
    "unknown host": "nowhere.example.org",
    "ip": "10.20.30.40",
    "ip with port": "10.20.30.40:8000",
}


@pytest.fixture
def hosts(utrecht, amersfoort) -> dict[str, str]:
    return HOSTS


@pytest.mark.parametrize("kind", list(HOSTS))
def test_healthz_everywhere(hosts, kind) -> None:
    response = Client(HTTP_HOST=hosts[kind]).get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.parametrize("kind", list(HOSTS))
def test_readyz_reports_database_and_channel_layer(hosts, kind) -> None:
    response = Client(HTTP_HOST=hosts[kind]).get("/readyz/")
    assert response.status_code == 200, response.content
    assert response.json() == {"status": "ok", "database": "ok", "channel_layer": "ok"}


def test_readyz_is_503_when_the_channel_layer_is_unreachable(hosts, settings) -> None:
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # Nothing listens on port 1: the round trip fails fast.
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},
        }
    }
    response = Client(HTTP_HOST=hosts["tenant"]).get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"] == "ok"
    assert body["channel_layer"] != "ok"


def test_readyz_with_the_real_redis(hosts, settings) -> None:
    url = require_redis()
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [url]}}
    }
    response = Client(HTTP_HOST=hosts["ip"]).get("/readyz")
    assert response.status_code == 200
    assert response.json()["channel_layer"] == "ok"


def test_readyz_is_503_when_the_database_is_unreachable(hosts, monkeypatch) -> None:
    from django.db import OperationalError

    from agora.health import checks

    class Unreachable:
        """Stands in for the connection inside the check only (the test's own stays usable)."""

        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr(checks, "connection", Unreachable())
    response = Client(HTTP_HOST=hosts["public"]).get("/readyz")
    assert response.status_code == 503
    assert response.json()["database"] == "OperationalError"
    assert response.json()["channel_layer"] == "ok"


def test_readyz_is_503_in_a_process_whose_database_and_redis_are_gone(tmp_path) -> None:
    """No stand-ins: a fresh process configured with a PostgreSQL and a Redis on ports where nothing
    listens (the shared services are never stopped). Its log lines are JSON, the production default."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    import agora

    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{free_port()}/gone",
        "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",
        "AGORA_DATA_DIR": str(tmp_path),
        "SECRET_KEY": "readyz-" * 8,
        "DJANGO_SETTINGS_MODULE": "agora.settings",
        "AGORA_TESTING": "0",
    }
    for name in ("PYTEST_VERSION", "AGORA_LOG_FORMAT", "DEBUG", "AGORA_DB_POOL_SIZE"):
        env.pop(name, None)
    code = (
        "import django, json; django.setup(); from django.test import Client; "
        "r = Client(HTTP_HOST='127.0.0.1').get('/readyz'); print(json.dumps([r.status_code, r.json()]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=Path(agora.__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    status, body = json.loads(done.stdout)
    assert status == 503
    assert body["status"] == "unavailable"
    assert body["database"] != "ok" and body["channel_layer"] != "ok"
    lines = [json.loads(line) for line in done.stderr.splitlines() if line.strip()]
    access = [line for line in lines if line["logger"] == "agora.access"]
    assert access and access[0]["route"] == "/readyz" and access[0]["status"] == 503
