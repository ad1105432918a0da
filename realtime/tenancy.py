"""Tenant resolution and database access for WebSocket consumers.

django-tenants covers HTTP only, and keeps the tenant on the thread's connection:
``database_sync_to_async`` runs in a worker thread that may still carry another tenant's
search_path. So every database function a consumer calls enters its tenant explicitly.

They run in the worker pool (``thread_sensitive=False``), not in the one thread that
``database_sync_to_async`` uses by default: each call is self-contained (its own tenant, its own
transaction), so nothing needs the same thread twice, and a thousand sockets of a crisis room do
not queue their joins, posts and catch-ups behind each other in a single thread. The pool is
daphne's (``ASGI_THREADS``), one database connection per thread.

Each call is also one actor cache (``agora.accounts.actors.actor_cache``), as an HTTP request is
one: a post checks membership and the room seat through the actor core in several places, and
resolves the member once per call, never across calls (a revocation counts from the next frame).
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from channels.db import database_sync_to_async
from django_tenants.utils import get_public_schema_name, remove_www, schema_context, tenant_context

T = TypeVar("T")

# The database connections of the worker threads that served a consumer (see close_pool_connections).
_pool_connections: weakref.WeakSet = weakref.WeakSet()


def _actor_cache():
    from agora.accounts.actors import actor_cache

    return actor_cache()


def _note_connection() -> None:
    from django.db import connections

    _pool_connections.add(connections["default"])


def close_pool_connections() -> None:
    """Close the worker threads' connections from this thread (a test, before its database goes).

    Outside tests the pool's connections live as long as ``CONN_MAX_AGE`` allows; a test that
    ends must not leave them open on a database that is about to be flushed or dropped.
    """
    for wrapper in list(_pool_connections):
        wrapper.inc_thread_sharing()
        try:
            wrapper.close()
        finally:
            wrapper.dec_thread_sharing()


def lookup_municipality(host: str):
    """The municipality served at ``host`` (port stripped), or None."""
    from agora.municipalities.models import Domain

    hostname = remove_www(host.split(":")[0].lower())
    with schema_context(get_public_schema_name()):
        domain = Domain.objects.select_related("tenant").filter(domain=hostname).first()
    return domain.tenant if domain else None


def in_tenant(func: Callable[..., T]) -> Callable[..., Any]:
    """Run ``func(schema_name, ...)`` in a worker thread, inside that schema."""

    @functools.wraps(func)
    def wrapper(schema_name: str, *args: Any, **kwargs: Any) -> T:
        _note_connection()
        with schema_context(schema_name), _actor_cache():
            return func(schema_name, *args, **kwargs)

    return database_sync_to_async(wrapper, thread_sensitive=False)


def in_municipality(func: Callable[..., T]) -> Callable[..., Any]:
    """Run ``func(municipality, ...)`` in a worker thread, inside that municipality as the tenant.

    Unlike :func:`in_tenant` the connection's tenant is the municipality itself, so the actor core
    (``current_actor``, ``require_member``) and the actions see the municipality they run in.
    """

    @functools.wraps(func)
    def wrapper(municipality: Any, *args: Any, **kwargs: Any) -> T:
        _note_connection()
        with tenant_context(municipality), _actor_cache():
            return func(municipality, *args, **kwargs)

    return database_sync_to_async(wrapper, thread_sensitive=False)
