"""Membership gate for tenant hosts: a session valid elsewhere grants nothing here."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.template.loader import render_to_string

from agora.accounts.access import request_actor

# Paths open to anyone on a tenant host (login itself, health, static files). The API does
# its own checks (token authentication happens inside DRF).
OPEN_PREFIXES = ("/login/", "/logout/", "/hand-off/", "/healthz", "/readyz", "/static/", "/api/", "/i18n/")


class MembershipMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        if (
            tenant is not None
            and getattr(tenant, "schema_name", "public") != "public"
            and request.user.is_authenticated
            and not request.path.startswith(OPEN_PREFIXES)
            and not request_actor(request).is_member
        ):
            return HttpResponseForbidden(
                render_to_string("accounts/forbidden.html", {"tenant": tenant}, request=request)
            )
        return self.get_response(request)
