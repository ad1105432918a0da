"""What every page's template needs: the languages, the navigation of this host."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def page(request: HttpRequest) -> dict:
    """The languages for the switch, and the actor for the navigation (tenant hosts only)."""
    context = {"languages": settings.LANGUAGES, "actor_nav": None}
    tenant = getattr(request, "tenant", None)
    if tenant is not None and getattr(tenant, "schema_name", "public") != "public":
        from agora.accounts.access import request_actor

        context["actor_nav"] = request_actor(request)
    return context
