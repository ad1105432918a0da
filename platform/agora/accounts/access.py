"""Who may do what in the current municipality. One place, so that every check agrees."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest

from agora.accounts.models import Membership
from agora.accounts.roles import STAFF_ROLES, Role

_CACHE_ATTR = "_agora_membership"


def current_tenant():
    """The municipality of the current connection, or None in the public schema."""
    from agora.municipalities.models import Municipality

    tenant = getattr(connection, "tenant", None)
    return tenant if isinstance(tenant, Municipality) else None


def membership_for(user, municipality) -> Membership | None:
    """The active membership of ``user`` in ``municipality``, or None."""
    if municipality is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return (
        Membership.objects.select_related("user")
        .filter(user=user, municipality_id=municipality.pk, is_active=True)
        .first()
    )


def request_membership(request: HttpRequest) -> Membership | None:
    """The membership of the request's user in the request's municipality (cached per request).

    Token-authenticated API requests set ``request.user`` only inside DRF, so this is computed
    lazily and keyed on the user.
    """
    user = getattr(request, "user", None)
    cached = getattr(request, _CACHE_ATTR, None)
    if cached is not None and cached[0] == getattr(user, "pk", None):
        return cached[1]
    membership = membership_for(user, getattr(request, "tenant", None) or current_tenant())
    setattr(request, _CACHE_ATTR, (getattr(user, "pk", None), membership))
    return membership


def has_role(request: HttpRequest, roles) -> bool:
    membership = request_membership(request)
    return membership is not None and membership.role in roles


def is_staff_member(request: HttpRequest) -> bool:
    """An official or police officer of this municipality."""
    return has_role(request, STAFF_ROLES)


def is_ally_member(request: HttpRequest) -> bool:
    return has_role(request, {Role.ALLY})
