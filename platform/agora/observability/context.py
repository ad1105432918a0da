"""The request's (or socket's) identity for log lines: request id, tenant, user id, route.

Held in context variables rather than on the request object so that a log call anywhere (an
action, a query helper, a consumer) can find them without being handed the request, and so that
an asyncio task or an asgiref worker thread (both copy the context) carries them along.
"""

from __future__ import annotations

import contextvars
import re
import uuid
from typing import Any

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("agora_request_id", default=None)
tenant: contextvars.ContextVar[str | None] = contextvars.ContextVar("agora_tenant", default=None)
user_id: contextvars.ContextVar[int | None] = contextvars.ContextVar("agora_user_id", default=None)
route: contextvars.ContextVar[str | None] = contextvars.ContextVar("agora_route", default=None)

# A proxy's or client's id is kept only when it is short and plain: it lands in every log line,
# so it must not be a way to write arbitrary text (or a personal datum) into them.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9-]{1,64}")


def clean_request_id(raw: str | None) -> str:
    """``raw`` when it is a sane id (1-64 of ``[A-Za-z0-9-]``), else a fresh uuid4."""
    if raw and _SANE_REQUEST_ID.fullmatch(raw):
        return raw
    return str(uuid.uuid4())


def tenant_label(municipality: Any) -> str | None:
    """The schema name of a municipality (a tenant), or None for the public schema / no tenant."""
    schema = getattr(municipality, "schema_name", None)
    if not schema or schema == "public":
        return None
    return str(schema)


def user_label(user: Any) -> int | None:
    """The integer id of an authenticated user, never their name or e-mail address."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    pk = getattr(user, "pk", None)
    return pk if isinstance(pk, int) else None


def bind(
    *, request: str | None = None, municipality: Any = None, user: Any = None, route_name: str | None = None
) -> None:
    """Set the context for what follows in this task (a socket's connect, a request)."""
    if request is not None:
        request_id.set(request)
    if municipality is not None:
        tenant.set(tenant_label(municipality))
    if user is not None:
        user_id.set(user_label(user))
    if route_name is not None:
        route.set(route_name)


def snapshot() -> dict[str, Any]:
    """The current values, as the log filter and the formatter read them."""
    return {
        "request_id": request_id.get(),
        "tenant": tenant.get(),
        "user_id": user_id.get(),
        "route": route.get(),
    }
