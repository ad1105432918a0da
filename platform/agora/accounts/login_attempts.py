"""Failed logins, counted per client address and per user name, to slow down password guessing.

The counters live in Django's cache (Redis when REDIS_URL is set, so every web process sees
them). Logins are global (users live in the public schema), so the keys carry no tenant.
"""

from __future__ import annotations

import hashlib
import os

from django.core.cache import cache
from django.http import HttpRequest

from agora.errors import error_code

MAX_FAILURES = int(os.environ.get("AGORA_LOGIN_MAX_FAILURES", "10"))
WINDOW_SECONDS = int(os.environ.get("AGORA_LOGIN_WINDOW_SECONDS", "900"))

LOGIN_THROTTLED = error_code(
    "login_throttled",
    en="Too many failed login attempts. Try again in {minutes} minutes.",
    nl="Te veel mislukte inlogpogingen. Probeer het over {minutes} minuten opnieuw.",
    status=429,
)


def _keys(request: HttpRequest, username: str) -> list[str]:
    address = request.META.get("REMOTE_ADDR", "")
    name = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    return [f"agora:login-failures:addr:{address}", f"agora:login-failures:user:{name}"]


def is_blocked(request: HttpRequest, username: str) -> bool:
    return any((cache.get(key) or 0) >= MAX_FAILURES for key in _keys(request, username))


def record_failure(request: HttpRequest, username: str) -> None:
    for key in _keys(request, username):
        if cache.add(key, 1, WINDOW_SECONDS):
            continue
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, WINDOW_SECONDS)


def throttled_error():
    return LOGIN_THROTTLED(minutes=max(1, WINDOW_SECONDS // 60))
