"""Permission classes by membership role in the current municipality: the API's first gate.

Officials and police officers of this municipality read and write; allies see only what
concerns them (each viewset narrows its queryset); everyone else nothing, and a user with no
membership here is treated as a stranger even if logged in elsewhere. The actions check who
acts again (``agora.accounts.actors``): these classes only turn strangers away early.
"""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from agora.accounts.access import request_actor


class IsMunicipalStaff(BasePermission):
    """Officials and police officers of this municipality."""

    message = "permission_denied"

    def has_permission(self, request, view) -> bool:
        return request_actor(request).is_staff


class IsMember(BasePermission):
    """Any member of this municipality (staff or ally); views narrow what allies see."""

    def has_permission(self, request, view) -> bool:
        return request_actor(request).is_member


class IsStaffOrAllyReadOnly(BasePermission):
    """Staff read and write; allies may only read (their own records, narrowed by the view)."""

    def has_permission(self, request, view) -> bool:
        actor = request_actor(request)
        if actor.is_staff:
            return True
        return request.method in ("GET", "HEAD", "OPTIONS") and actor.is_ally
