"""Writes on memberships: what a member of a municipality keeps about themselves there."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from agora.accounts.actors import current_actor, current_municipality
from agora.accounts.models import Membership
from agora.accounts.roles import STAFF_ROLES
from agora.audit.actions import record_action
from agora.errors import NOT_FOUND, PERMISSION_DENIED
from agora.ids import id_or_not_found
from tenants.networkmap.phones import normalise_phone


@transaction.atomic
def do_set_membership_mobile(membership_id: Any, mobile: str, *, acting_user) -> Membership:
    """Set the mobile number a staff member is reached on in this municipality (E.164).

    The method wants everybody to have everybody's mobile number: allies must be able to call the
    neighbourhood police officer and the municipal official between meetings and in a crisis.
    The member sets it themselves, or an official of this municipality does. Staff memberships
    only: an ally's number lives on their key figure record. An empty value clears it.
    """
    municipality = current_municipality()
    pk = id_or_not_found(membership_id)
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(pk=pk, municipality_id=getattr(municipality, "pk", None))
        .first()
    )
    actor = current_actor(acting_user)
    if membership is None or not actor.is_member:
        raise NOT_FOUND()
    if membership.user_id != actor.user_id and not actor.is_official:
        raise PERMISSION_DENIED()
    if membership.role not in STAFF_ROLES:
        raise NOT_FOUND()
    number = normalise_phone(mobile)
    if number != membership.mobile:
        previous_set = bool(membership.mobile)
        membership.mobile = number
        membership.save(update_fields=["mobile"])
        # No number in the central log: only that it changed, and by whom.
        record_action(
            "accounts.membership.mobile_set",
            actor=acting_user,
            obj=membership,
            detail={"had_number": previous_set, "has_number": bool(number), "role": membership.role},
        )
    return membership
