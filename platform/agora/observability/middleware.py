"""The request id, the context of log lines, one access-log line and the HTTP metrics per request.

:class:`RequestContextMiddleware` comes first (before the health endpoints and the tenant
resolution), so that every response carries ``X-Request-ID`` and is counted, probes included.
:class:`RequestUserMiddleware` sits after the session checks and binds the user's id for the
log lines of the view and the actions it calls.

The access line names the route pattern (``api/v1/signals/<int:pk>/``), not the path: a path
holds ids and a query string may hold anything a user typed. Request bodies are never logged.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.functional import empty

from agora.observability import context, metrics

access_logger = logging.getLogger("agora.access")

HEADER = "X-Request-ID"


def route_of(request: HttpRequest) -> str:
    """The bounded name of what answered: the URL pattern, a health endpoint, static files, or none."""
    named = getattr(request, "agora_route", None)
    if named:
        return str(named)
    match = getattr(request, "resolver_match", None)
    if match is not None:
        if match.route is not None:  # "" is the site's root
            return "/" + match.route.lstrip("^").removesuffix("$")
        if match.view_name:
            return match.view_name
    static = settings.STATIC_URL or "/static/"
    if request.path.startswith(static):
        return static + "*"
    return metrics.UNMATCHED_ROUTE


def evaluated_user(request: HttpRequest) -> Any:
    """The request's user if something already loaded it (no session query for a bare probe)."""
    user = request.__dict__.get("user")
    wrapped = getattr(user, "_wrapped", None)
    if wrapped is empty:
        return None
    return wrapped if wrapped is not None else user


class RequestContextMiddleware:
    """Request id in and out, the context for log lines, the access line and the HTTP metrics."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        rid = context.clean_request_id(request.headers.get(HEADER))
        request.request_id = rid  # type: ignore[attr-defined]
        # Set afresh and reset after: a thread that serves the next request must not carry these.
        tokens = [
            (var, var.set(value))
            for var, value in (
                (context.request_id, rid),
                (context.tenant, None),
                (context.user_id, None),
                (context.route, None),
            )
        ]
        try:
            response = self.get_response(request)
            seconds = time.perf_counter() - started
            route = route_of(request)
            context.route.set(route)
            context.tenant.set(context.tenant_label(getattr(request, "tenant", None)))
            context.user_id.set(context.user_label(evaluated_user(request)))
            metrics.observe_request(route, request.method or "", response.status_code, seconds)
            access_logger.info(
                "%s %s %s",
                request.method,
                route,
                response.status_code,
                extra={
                    "method": request.method,
                    "status": response.status_code,
                    "duration_ms": round(seconds * 1000, 1),
                },
            )
            response[HEADER] = rid
            return response
        finally:
            for var, token in reversed(tokens):
                var.reset(token)


class RequestUserMiddleware:
    """After the session checks: the tenant and the user's id for the log lines of the view."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        context.tenant.set(context.tenant_label(getattr(request, "tenant", None)))
        context.user_id.set(context.user_label(getattr(request, "user", None)))
        return self.get_response(request)
