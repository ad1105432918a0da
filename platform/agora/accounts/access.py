"""The actor core seen from an HTTP request: permission classes, templates and the admin site.

Thin on purpose: every answer comes from :mod:`agora.accounts.actors`, which the actions use
too, so a view and the action it calls cannot disagree about who is staff here.
"""

from __future__ import annotations

from django.http import HttpRequest

from agora.accounts.actors import Actor, actor_cache, current_actor


def request_actor(request: HttpRequest) -> Actor:
    """The request's user as a member of the request's municipality.

    Token-authenticated API requests set ``request.user`` only inside DRF, so this is asked
    lazily; the per-request cache (``ActorCacheMiddleware``) keys on the user's id.
    """
    return current_actor(getattr(request, "user", None))


class ActorCacheMiddleware:
    """Resolve each acting member once per request (views, permission classes and actions)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        with actor_cache():
            return self.get_response(request)
