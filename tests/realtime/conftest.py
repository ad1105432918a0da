"""Fixtures of the full-stack WebSocket tests: a channel layer (memory and Redis), the towns."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from django.db import connections

from agora.municipalities.models import Municipality
from realtime.tenancy import close_pool_connections
from tests.conftest import ensure_test_municipality
from tests.services import require_redis


@pytest.fixture(params=["memory", "redis"])
def channel_layer(request, settings) -> Iterator[str]:
    """Each test on the in-memory layer and on the real Redis layer (a fresh prefix per test)."""
    if request.param == "redis":
        url = require_redis()
        settings.CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {"hosts": [url], "prefix": f"test-{uuid.uuid4().hex[:12]}"},
            }
        }
    else:
        settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    yield request.param
    channel_layers.backends.clear()


@pytest.fixture(autouse=True)
async def _close_worker_connections():
    """The consumers query from asgiref's worker threads; close their connections after each test
    (they would otherwise outlive the test database)."""
    yield
    await database_sync_to_async(connections.close_all)()
    await sync_to_async(close_pool_connections)()


@pytest.fixture
def towns(db) -> dict[str, Municipality]:
    return {slug: ensure_test_municipality(slug) for slug in ("utrecht", "amersfoort")}


@pytest.fixture
def processes(tmp_path) -> Iterator:
    """Server processes a test starts (``tests.realtime.test_crisis_daphne.Processes``), stopped after it."""
    from tests.realtime.test_crisis_daphne import Processes

    started = Processes(tmp_path)
    yield started
    started.stop_all()


@pytest.fixture
def cast(towns, people):
    """A crisis in Utrecht with its convened staff and allies (``tests.realtime.crisis_cast``), committed."""
    from tests.realtime import crisis_cast

    built = crisis_cast.build(people, towns["utrecht"])
    yield built
    crisis_cast.remove(towns["utrecht"], built)
