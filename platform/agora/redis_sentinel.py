"""Redis through Sentinel: the channel layer's host entry and the cache's connection pool (ADR 0023).

With ``AGORA_REDIS_SENTINELS`` set, neither the channel layer nor the cache is given a Redis
address. Both ask the sentinels for the current primary of ``AGORA_REDIS_SENTINEL_MASTER`` when
they connect, and again when a connection breaks, so a failover needs no restart of the web
processes. Both use redis-py's own ``redis.sentinel``: channels-redis builds its asyncio
``SentinelConnectionPool`` from a host entry with ``sentinels`` and ``master_name``; Django's
``RedisCache`` builds its pool with ``pool_class.from_url(LOCATION, **OPTIONS)``, which
:class:`SentinelCachePool` answers. Nothing here decides or performs a failover: the sentinels do.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from redis.backoff import NoBackoff
from redis.retry import Retry
from redis.sentinel import Sentinel, SentinelConnectionPool

DEFAULT_MASTER = "mymaster"  # the name in Debian's /etc/redis/sentinel.conf
# A primary that vanished without a reset (power, network) must not hold a post's broadcast or a
# login's counter for the kernel's two minutes of SYN retries: the connect gives up after this.
CONNECT_TIMEOUT_SECONDS = 2.0
# A sentinel answers from memory; one that is slow is skipped for the next in the list.
SENTINEL_TIMEOUT_SECONDS = 1.0


def parse_sentinels(value: str) -> list[tuple[str, int]]:
    """``host:port,host:port`` (an IPv6 host in brackets, ``[::1]:26379``) as (host, port) pairs."""
    sentinels = []
    for item in filter(None, (part.strip() for part in value.split(","))):
        host, _, port = item.rpartition(":")
        host = host.removeprefix("[").removesuffix("]")
        if not host or not port.isdigit():
            raise ValueError(f"AGORA_REDIS_SENTINELS takes host:port pairs, not {item!r}")
        sentinels.append((host, int(port)))
    return sentinels


@dataclass(frozen=True)
class SentinelSettings:
    """What the environment says about the sentinels and the Redis they watch."""

    sentinels: list[tuple[str, int]]
    master: str
    db: int
    password: str  # of the primary and its replicas (requirepass/masterauth), "" for none
    sentinel_password: str  # of the sentinels themselves (their requirepass), "" for none

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> SentinelSettings | None:
        """None without ``AGORA_REDIS_SENTINELS``; with ``REDIS_URL`` too, a ValueError (which one?)."""
        sentinels = parse_sentinels(environ.get("AGORA_REDIS_SENTINELS", ""))
        if not sentinels:
            return None
        if environ.get("REDIS_URL"):
            raise ValueError("set REDIS_URL or AGORA_REDIS_SENTINELS, not both")
        return cls(
            sentinels=sentinels,
            master=environ.get("AGORA_REDIS_SENTINEL_MASTER", "").strip() or DEFAULT_MASTER,
            db=int(environ.get("AGORA_REDIS_DB") or 0),
            password=environ.get("AGORA_REDIS_PASSWORD", ""),
            sentinel_password=environ.get("AGORA_REDIS_SENTINEL_PASSWORD", ""),
        )

    def _sentinel_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "socket_timeout": SENTINEL_TIMEOUT_SECONDS,
            "socket_connect_timeout": SENTINEL_TIMEOUT_SECONDS,
        }
        if self.sentinel_password:
            kwargs["password"] = self.sentinel_password
        return kwargs

    def _connection_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"db": self.db, "socket_connect_timeout": CONNECT_TIMEOUT_SECONDS}
        if self.password:
            kwargs["password"] = self.password
        return kwargs

    def channel_layer_host(self) -> dict[str, Any]:
        """One entry of channels-redis' ``hosts``: its ``create_pool`` makes the Sentinel pool."""
        return {
            "sentinels": list(self.sentinels),
            "master_name": self.master,
            "sentinel_kwargs": self._sentinel_kwargs(),
            **self._connection_kwargs(),
        }

    def cache(self) -> dict[str, Any]:
        """``CACHES["default"]`` for Django's RedisCache: the master's name where the URL would be."""
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": self.master,
            "OPTIONS": {
                "pool_class": f"{__name__}.SentinelCachePool",
                "sentinels": list(self.sentinels),
                "sentinel_kwargs": self._sentinel_kwargs(),
                **self._connection_kwargs(),
            },
        }


class SentinelCachePool(SentinelConnectionPool):
    """redis-py's Sentinel pool under the constructor Django's RedisCache calls.

    RedisCache calls ``from_url(LOCATION, **OPTIONS)``; LOCATION is the master's name here. A
    pooled connection to the old primary fails once after a failover (its socket closed, or the old
    primary back as a replica: redis-py turns its ReadOnlyError into a ConnectionError); one retry
    (redis-py's ``Retry``, on connection errors and timeouts only) reconnects it through the
    sentinels, so the cache call that found it does not fail too.
    """

    @classmethod
    def from_url(  # type: ignore[override]
        cls,
        url: str,
        *,
        sentinels: list[tuple[str, int]],
        sentinel_kwargs: dict[str, Any] | None = None,
        **options: Any,
    ) -> SentinelCachePool:
        options.setdefault("retry", Retry(NoBackoff(), 1))
        return cls(url, Sentinel(sentinels, sentinel_kwargs=sentinel_kwargs), **options)
