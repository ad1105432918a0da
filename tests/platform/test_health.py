"""/healthz and /readyz answer on every host, and /readyz reports its dependencies."""

from __future__ import annotations

import pytest
from django.test import Client

from agora.municipalities.provisioning import host_for
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
