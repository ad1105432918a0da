"""What every page view shares: the member gate, the staff gate, domain errors shown as messages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

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
            try:
                return view(request, *args, **kwargs)
            except DomainError as error:
                return _refused(request, error)

        return wrapper

    return decorate


def _refused(request: HttpRequest, error: DomainError) -> HttpResponse:
    """A domain error that escaped the view (an ``access_*_by_id`` miss): the platform's page.

    Missing and forbidden records are the same 404 page, as in the API; a refused rule outside
    ``run_action`` is shown as a message on the page it came from, never as a 500.
    """
    if error.status == 404:
        raise Http404(error.message()) from error
    if error.status in (401, 403):
        raise PermissionDenied(error.message()) from error
    messages.error(request, error.message())
    return redirect(request.path)


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


def run_form_action(
    request: HttpRequest, form: Any, action: Callable[[], Any], *, done: str = ""
) -> Any | None:
    """Run one action for a bound, valid form; a refusal is shown next to the field it names.

    A ``DomainError``'s ``fields`` name the input it is about (the API's ``fields``); the message
    goes to that field of the form when the form has it, else to the form as a whole, so that a
    keyboard or screen-reader user finds it where they typed. Nothing is written on a refusal.
    """
    try:
        result = action()
    except DomainError as error:
        named = [name for name in error.fields if name in form.fields]
        form.add_error(named[0] if named else None, error.message())
        return None
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for name, problems in error.message_dict.items():
                form.add_error(name if name in form.fields else None, problems)
        else:
            form.add_error(None, error.messages)
        return None
    if done:
        messages.success(request, done)
    return result
