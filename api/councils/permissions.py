"""The councils API's first gate: who may call which council endpoint at all.

Members of this municipality only; writes are for staff, except the view's ``ally_actions``
(every member may propose an agenda item; the proposer may withdraw it). This is only the
first gate: each action in ``tenants.councils.actions`` checks who acts again, so the admin,
a socket or a form gets the same refusal, and which council an ally may see is narrowed
further by ``tenants.councils.access`` (404).
"""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from agora.accounts.access import request_actor


class CouncilAccess(BasePermission):
    """Members of this municipality only; writes are for staff, except the view's ``ally_actions``."""

    def has_permission(self, request, view) -> bool:
        actor = request_actor(request)
        if actor.municipality is None or not actor.is_member:
            return False
        if actor.is_staff:
            return True
        action = getattr(view, "action", None)
        if action in getattr(view, "ally_actions", ()):
            return True
        return request.method in ("GET", "HEAD", "OPTIONS") and action not in getattr(
            view, "staff_only_actions", ()
        )
