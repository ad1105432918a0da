"""ASGI middleware: put the municipality of the Host header into the scope."""

from __future__ import annotations

from channels.db import database_sync_to_async

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
