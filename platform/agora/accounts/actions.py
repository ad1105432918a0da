"""Writes on memberships: the number a member is reached on there, and the end of a membership."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django_tenants.utils import tenant_context

from agora.accounts.actors import current_actor, current_municipality, forget_actors
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
    The member sets it themselves, or an official of this municipality does (or the platform
    operator in the public admin, where memberships are managed). Staff memberships
    only: an ally's number lives on their key figure record. An empty value clears it.
    """
    municipality = current_municipality()
    pk = id_or_not_found(membership_id)
    query = Membership.objects.select_for_update(of=("self",)).select_related("user", "municipality")
    if municipality is None and getattr(acting_user, "is_superuser", False):
        # The platform operator, in the public admin where memberships are managed.
        membership = query.filter(pk=pk).first()
        if membership is None:
            raise NOT_FOUND()
    else:
        membership = query.filter(pk=pk, municipality_id=getattr(municipality, "pk", None)).first()
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
            municipality=membership.municipality,
            obj=membership,
            detail={"had_number": previous_set, "has_number": bool(number), "role": membership.role},
        )
    return membership


@transaction.atomic
def do_end_membership(membership_id: Any, *, acting_user, reason: str = "") -> Membership:
    """End a membership (the person leaves this municipality's work); their council seats pass on.

    An official of the municipality does it in its schema; a platform operator (superuser) from
    the public admin, where memberships are managed. For staff, every lead or deputy seat they
    hold is handed over in this same transaction (``tenants.councils.actions.hand_over_all_seats``):
    the deputy moves up and takes the open signals, planned notices and follow-ups, and what no
    council reaches is left unassigned rather than with someone who is gone. Ending an ended
    membership changes nothing.
    """
    municipality = current_municipality()
    pk = id_or_not_found(membership_id)
    query = Membership.objects.select_for_update(of=("self",)).select_related("user", "municipality")
    if municipality is None:
        if not getattr(acting_user, "is_superuser", False):
            raise PERMISSION_DENIED()
        membership = query.filter(pk=pk).first()
    else:
        if not current_actor(acting_user).is_official:
            raise PERMISSION_DENIED()
        membership = query.filter(pk=pk, municipality_id=municipality.pk).first()
    if membership is None:
        raise NOT_FOUND()
    if not membership.is_active:
        return membership
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    forget_actors()
    handovers: list[int] = []
    if membership.role in STAFF_ROLES:
        # Lazily: the councils live in the municipality's schema and depend on this app.
        from tenants.councils.actions import hand_over_all_seats

        with tenant_context(membership.municipality):
            handovers = [
                h.pk
                for h in hand_over_all_seats(membership, acting_user=acting_user, reason=reason or "ended")
            ]
    record_action(
        "accounts.membership.ended",
        actor=acting_user,
        municipality=membership.municipality,
        obj=membership,
        detail={"role": membership.role, "handovers": handovers},
    )
    return membership
