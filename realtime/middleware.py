"""ASGI middleware: put the municipality of the Host header into the scope; admit complete sessions only."""

from __future__ import annotations

from channels.db import database_sync_to_async
from django.contrib.auth.models import AnonymousUser

from realtime.tenancy import lookup_municipality


class TenantFromHostMiddleware:
    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        headers = dict(scope.get("headers") or [])
        host = headers.get(b"host", b"").decode("latin-1")
        scope = dict(scope)
        scope["tenant"] = await database_sync_to_async(lookup_municipality)(host) if host else None
        return await self.app(scope, receive, send)


class CompleteSessionMiddleware:
    """Inside the session middleware: an expired session, or one whose login still owes its second
    factor, opens a socket as nobody (``agora.accounts.session_policy``, the pages' own rule)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        user = scope.get("user")
        if getattr(user, "is_authenticated", False):
            allowed = await database_sync_to_async(_session_allows)(scope.get("session"), user)
            if not allowed:
                scope = dict(scope)
                scope["user"] = AnonymousUser()
        return await self.app(scope, receive, send)


def _session_allows(session, user) -> bool:
    from agora.accounts.session_policy import socket_user

    return session is not None and socket_user(session, user) is not None
