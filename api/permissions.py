"""Permission classes by membership role in the current municipality.

Officials and police officers of this municipality read and write; allies see only what
concerns them (each viewset narrows its queryset); everyone else nothing, and a user with no
membership here is treated as a stranger even if logged in elsewhere.
"""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from agora.accounts.access import current_tenant, has_role, request_membership
from agora.accounts.roles import STAFF_ROLES, Role


class IsMunicipalStaff(BasePermission):
    """Officials and police officers of this municipality."""

    message = "permission_denied"

    def has_permission(self, request, view) -> bool:
        return current_tenant() is not None and has_role(request, STAFF_ROLES)


class IsMember(BasePermission):
    """Any member of this municipality (staff or ally); views narrow what allies see."""

    def has_permission(self, request, view) -> bool:
        return current_tenant() is not None and request_membership(request) is not None


class IsStaffOrAllyReadOnly(BasePermission):
    """Staff read and write; allies may only read (their own records, narrowed by the view)."""

    def has_permission(self, request, view) -> bool:
        if current_tenant() is None:
            return False
        if has_role(request, STAFF_ROLES):
            return True
        return request.method in ("GET", "HEAD", "OPTIONS") and has_role(request, {Role.ALLY})
