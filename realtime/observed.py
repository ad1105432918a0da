"""What the sockets tell the logs and the metrics: their context, and how many are open.

A socket has no request, so on connect it takes the same context variables an HTTP request sets
(``agora.observability.context``): a request id (the handshake's sane ``X-Request-ID``, else a
fresh one, one per socket), the tenant's schema and the user's id. Channels dispatches every
message of a socket in the task that connected it, and the database calls copy that task's
context, so every log line of the socket carries them.

The open-socket gauge counts accepted sockets, per tenant and kind, until their disconnect.
"""

from __future__ import annotations

from typing import Any

from agora.observability import context, metrics


def bind_socket(scope: dict[str, Any], kind: str) -> str:
    """Set the log context of a socket from its scope; return its request id."""
    headers = dict(scope.get("headers") or [])
    raw = headers.get(b"x-request-id", b"").decode("latin-1")
    request_id = context.clean_request_id(raw)
    context.request_id.set(request_id)
    context.tenant.set(context.tenant_label(scope.get("tenant")))
    context.user_id.set(context.user_label(scope.get("user")))
    context.route.set(f"ws:{kind}")  # bounded, like the HTTP routes: never the path with its ids
    return request_id


class ObservedSocket:
    """Mixin of the consumers: binds the log context on connect, counts the socket while open."""

    socket_kind: str = ""
    _counted: bool = False

    async def websocket_connect(self, message: dict) -> None:
        self.scope["agora_request_id"] = bind_socket(self.scope, self.socket_kind)
        await super().websocket_connect(message)  # type: ignore[misc]

    async def accept(self, *args: Any, **kwargs: Any) -> None:
        await super().accept(*args, **kwargs)  # type: ignore[misc]
        if not self._counted:
            self._counted = True
            metrics.socket_opened(context.tenant_label(self.scope.get("tenant")), self.socket_kind)

    async def websocket_disconnect(self, message: dict) -> None:
        try:
            await super().websocket_disconnect(message)  # type: ignore[misc]
        finally:
            if self._counted:
                self._counted = False
                metrics.socket_closed(context.tenant_label(self.scope.get("tenant")), self.socket_kind)
