"""Who may read which key figure, and the log of every read.

A key figure's record reveals religion or origin (GDPR art. 9), so reads go through here:
``access_key_figure_by_id`` is the only way the API and the admin fetch one record, and it logs
the read. A record that does not exist and one the reader may not see give the same 404, so
ids cannot be probed. Staff (officials, police officers) of this municipality see every record;
an ally sees their own record only; everyone else sees nothing.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from agora.accounts.access import request_actor
from agora.accounts.actors import Actor, current_actor
from agora.audit.actions import log_person_read
from agora.errors import NOT_FOUND
from agora.ids import id_or_not_found
from tenants.networkmap.models import KeyFigure


def _actor(request_or_user: Any) -> Actor:
    """The reader as a member of this municipality (a request's user, a user, or an actor)."""
    if isinstance(request_or_user, Actor):
        return request_or_user
    if isinstance(request_or_user, HttpRequest) or hasattr(request_or_user, "_request"):
        return request_actor(request_or_user)
    return current_actor(request_or_user)


def key_figures_visible_to(request_or_user: Any) -> QuerySet[KeyFigure]:
    """The key figures this reader may see (not logged: callers log what they actually show)."""
    actor = _actor(request_or_user)
    if actor.is_staff:
        return KeyFigure.objects.all()
    if actor.is_ally:
        return KeyFigure.objects.filter(user=actor.user)
    return KeyFigure.objects.none()


def access_key_figure_by_id(request_or_user: Any, key_figure_id: Any, *, purpose: str) -> KeyFigure:
    """The key figure, if this reader may see it; else ``not_found`` (404). Logs the read."""
    pk = id_or_not_found(key_figure_id)
    actor = _actor(request_or_user)
    queryset = key_figures_visible_to(actor).select_related("neighbourhood")
    key_figure = queryset.filter(pk=pk).first()
    if key_figure is None:
        raise NOT_FOUND()
    log_person_read(actor=actor.user, obj=key_figure, purpose=purpose)
    return key_figure
