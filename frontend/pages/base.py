"""What every page view shares: the member gate, the staff gate, domain errors shown as messages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse

from agora.accounts.access import request_actor
from agora.accounts.actors import Actor
from agora.errors import DomainError

View = Callable[..., HttpResponse]


def _gate(check: Callable[[Actor], bool]) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            actor = request_actor(request)
            if not check(actor):
                raise PermissionDenied
            request.actor = actor
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


member_page = _gate(lambda actor: actor.is_member)
staff_page = _gate(lambda actor: actor.is_staff)
ally_page = _gate(lambda actor: actor.is_ally)


def run_action(request: HttpRequest, action: Callable[[], Any], *, done: str = "") -> Any | None:
    """Run one action; a refusal (domain or validation error) becomes an error message."""
    try:
        result = action()
    except DomainError as error:
        messages.error(request, error.message())
        return None
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
        return None
    if done:
        messages.success(request, done)
    return result
