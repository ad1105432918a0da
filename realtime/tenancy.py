"""Tenant resolution and database access for WebSocket consumers.

django-tenants covers HTTP only, and keeps the tenant on the thread's connection:
``database_sync_to_async`` runs in a worker thread that may still carry another tenant's
search_path. So every database function a consumer calls enters its tenant explicitly.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from channels.db import database_sync_to_async
from django_tenants.utils import get_public_schema_name, remove_www, schema_context, tenant_context

T = TypeVar("T")


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
        with schema_context(schema_name):
            return func(schema_name, *args, **kwargs)

    return database_sync_to_async(wrapper)


def in_municipality(func: Callable[..., T]) -> Callable[..., Any]:
    """Run ``func(municipality, ...)`` in a worker thread, inside that municipality as the tenant.

    Unlike :func:`in_tenant` the connection's tenant is the municipality itself, so the actor core
    (``current_actor``, ``require_member``) and the actions see the municipality they run in.
    """

    @functools.wraps(func)
    def wrapper(municipality: Any, *args: Any, **kwargs: Any) -> T:
        with tenant_context(municipality):
            return func(municipality, *args, **kwargs)

    return database_sync_to_async(wrapper)
