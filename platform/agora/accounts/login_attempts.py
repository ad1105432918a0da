"""One lockout for every way in: failed logins per (user name, client address) together.

Every way in (``/login/`` on every host, both admin sites, ``POST /api/v1/auth/token/``) goes
through Django's ``authenticate()``. :class:`agora.accounts.lockout.LockoutBackend`, first in
``AUTHENTICATION_BACKENDS``, refuses a locked pair before any password is checked, and the
``user_login_failed`` signal counts each failure here, so no entrance has a counter of its own.

The key is the user name AND the address together (docs/security.md, "Authentication"): ten
failures from a municipal office's shared address lock that one name there, not the office's
other staff, and a guesser elsewhere only locks the pair they guess from, never the user. The
address is what the trusted proxy says: with ``AGORA_TRUSTED_PROXIES`` = N the N-th entry from
the right of X-Forwarded-For (each proxy appends what it saw), with 0 (the default) the socket's
address and X-Forwarded-For is ignored, since the client writes it.

The counters live in Django's cache (Redis when REDIS_URL is set, so every web process sees
them). Logins are global (users live in the public schema), so the keys carry no tenant.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

from django.conf import settings
from django.core.cache import cache

from agora.errors import error_code

MAX_FAILURES = int(os.environ.get("AGORA_LOGIN_MAX_FAILURES", "10"))
WINDOW_SECONDS = int(os.environ.get("AGORA_LOGIN_WINDOW_SECONDS", "900"))

LOGIN_THROTTLED = error_code(
    "login_throttled",
    en="Too many failed login attempts. Try again in {minutes} minutes.",
    nl="Te veel mislukte inlogpogingen. Probeer het over {minutes} minuten opnieuw.",
    status=429,
)


def client_address(request: Any) -> str:
    """The client's address as the trusted proxies report it (never what the client claims)."""
    meta = getattr(request, "META", {}) or {}
    remote = str(meta.get("REMOTE_ADDR", ""))
    proxies = int(getattr(settings, "AGORA_TRUSTED_PROXIES", 0) or 0)
    forwarded = [part.strip() for part in str(meta.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    forwarded = [part for part in forwarded if part]
    if proxies <= 0 or not forwarded:
        return remote
    return forwarded[-min(proxies, len(forwarded))]


def _key(request: Any, username: str) -> str:
    pair = f"{(username or '').strip().lower()}\n{client_address(request)}"
    return f"agora:login-failures:{hashlib.sha256(pair.encode()).hexdigest()[:40]}"


def is_blocked(request: Any, username: str) -> bool:
    return (cache.get(_key(request, username)) or 0) >= MAX_FAILURES


def record_failure(request: Any, username: str) -> None:
    key = _key(request, username)
    if cache.add(key, 1, WINDOW_SECONDS):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW_SECONDS)


def forget_failures(request: Any, username: str) -> None:
    """A successful login at this address starts the count afresh (it proved the password)."""
    cache.delete(_key(request, username))


def throttled_error():
    return LOGIN_THROTTLED(minutes=max(1, WINDOW_SECONDS // 60))
