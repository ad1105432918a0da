"""The Sentinel settings: what the environment is read as, and the pools the layer and the cache build.

The failover itself (a real primary, replica and sentinel, a primary killed under a crisis room)
is tests/realtime/test_crisis_sentinel.py; these check the wiring without a server.
"""

from __future__ import annotations

import pytest
from channels_redis.utils import create_pool
from django.core.cache.backends.redis import RedisCache
from redis.asyncio.sentinel import SentinelConnectionPool as AsyncSentinelPool

from agora.redis_sentinel import SentinelCachePool, SentinelSettings, parse_sentinels

ENVIRON = {
    "AGORA_REDIS_SENTINELS": "10.0.0.1:26379, sentinel-b:26380,[fd00::3]:26381",
    "AGORA_REDIS_SENTINEL_MASTER": "agora",
    "AGORA_REDIS_DB": "3",
    "AGORA_REDIS_PASSWORD": "data-secret",
    "AGORA_REDIS_SENTINEL_PASSWORD": "sentinel-secret",
}
SENTINELS = [("10.0.0.1", 26379), ("sentinel-b", 26380), ("fd00::3", 26381)]


def test_sentinels_are_host_port_pairs() -> None:
    assert parse_sentinels(ENVIRON["AGORA_REDIS_SENTINELS"]) == SENTINELS
    assert parse_sentinels(" , ") == []


@pytest.mark.parametrize("value", ["10.0.0.1", "host:", ":26379", "host:port", "[fd00::3]"])
def test_a_sentinel_without_a_port_or_host_is_refused(value) -> None:
    with pytest.raises(ValueError, match="host:port"):
        parse_sentinels(value)


def test_no_sentinels_no_settings_and_not_both_ways() -> None:
    assert SentinelSettings.from_environ({"REDIS_URL": "redis://127.0.0.1:6379/0"}) is None
    with pytest.raises(ValueError, match="not both"):
        SentinelSettings.from_environ({**ENVIRON, "REDIS_URL": "redis://127.0.0.1:6379/0"})


def test_defaults_are_debians() -> None:
    config = SentinelSettings.from_environ({"AGORA_REDIS_SENTINELS": "127.0.0.1:26379"})
    assert (config.master, config.db, config.password, config.sentinel_password) == ("mymaster", 0, "", "")
    assert "password" not in config.channel_layer_host()
    assert "password" not in config.channel_layer_host()["sentinel_kwargs"]


def _asks_the_sentinels_for_the_primary(pool) -> None:
    """``pool`` (the layer's or the cache's) asks ENVIRON's sentinels, with their password, for db 3."""
    assert pool.service_name == "agora" and pool.is_master
    assert [
        (s.connection_pool.connection_kwargs["host"], s.connection_pool.connection_kwargs["port"])
        for s in pool.sentinel_manager.sentinels
    ] == SENTINELS
    assert (
        pool.sentinel_manager.sentinels[0].connection_pool.connection_kwargs["password"] == "sentinel-secret"
    )
    assert (pool.connection_kwargs["db"], pool.connection_kwargs["password"]) == (3, "data-secret")


def test_the_channel_layer_builds_a_sentinel_pool() -> None:
    host = SentinelSettings.from_environ(ENVIRON).channel_layer_host()
    pool = create_pool(host)  # what channels-redis does with each entry of "hosts"
    assert isinstance(pool, AsyncSentinelPool)
    _asks_the_sentinels_for_the_primary(pool)


def test_the_cache_builds_a_sentinel_pool() -> None:
    cache = SentinelSettings.from_environ(ENVIRON).cache()
    backend = RedisCache(cache["LOCATION"], {"OPTIONS": cache["OPTIONS"]})
    pool = backend._cache.get_client(write=True).connection_pool
    assert isinstance(pool, SentinelCachePool)
    _asks_the_sentinels_for_the_primary(pool)
    assert pool.connection_kwargs["retry"].get_retries() == 1  # a stale connection reconnects once
