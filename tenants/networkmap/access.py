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
from agora.accounts.actors import current_actor
from agora.accounts.models import Membership
from agora.accounts.roles import STAFF_ROLES, Role
from agora.audit.actions import log_person_read
from agora.errors import NOT_FOUND
from agora.ids import id_or_not_found
from tenants.networkmap.models import KeyFigure


def _user_and_membership(request_or_user: Any) -> tuple[Any, Membership | None]:
    if isinstance(request_or_user, HttpRequest) or hasattr(request_or_user, "_request"):
        return request_or_user.user, request_actor(request_or_user).membership
    return request_or_user, current_actor(request_or_user).membership


def key_figures_visible_to(request_or_user: Any) -> QuerySet[KeyFigure]:
    """The key figures this reader may see (not logged: callers log what they actually show)."""
    user, membership = _user_and_membership(request_or_user)
    if membership is None:
        return KeyFigure.objects.none()
    if membership.role in STAFF_ROLES:
        return KeyFigure.objects.all()
    if membership.role == Role.ALLY:
        return KeyFigure.objects.filter(user=user)
    return KeyFigure.objects.none()


def access_key_figure_by_id(request_or_user: Any, key_figure_id: Any, *, purpose: str) -> KeyFigure:
    """The key figure, if this reader may see it; else ``not_found`` (404). Logs the read."""
    user, _membership = _user_and_membership(request_or_user)
    pk = id_or_not_found(key_figure_id)
    queryset = key_figures_visible_to(request_or_user).select_related("neighbourhood")
    key_figure = queryset.filter(pk=pk).first()
    if key_figure is None:
        raise NOT_FOUND()
    log_person_read(actor=user, obj=key_figure, purpose=purpose)
    return key_figure
