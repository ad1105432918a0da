"""Which real services the tests use, and the rule that under CI a missing service fails."""

from __future__ import annotations

import os

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_redis() -> str:
    """The Redis URL; skip locally without one, fail under CI=true (never a silent skip there)."""
    url = os.environ.get("REDIS_URL", "")
    if not url:
        if IN_CI:
            pytest.fail("REDIS_URL is not set under CI=true: the real Redis is required")
        pytest.skip("REDIS_URL not set")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        if IN_CI:
            pytest.fail(f"Redis at {url} is unreachable under CI=true: {error}")
        pytest.skip(f"Redis unreachable: {error}")
    return url
