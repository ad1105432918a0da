"""Contact moments: who spoke with a key figure, when, and the next contact agreed."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from agora.accounts.actors import current_actor
from agora.accounts.models import Membership
from agora.accounts.roles import STAFF_ROLES
from agora.audit.actions import record_action
from tenants.networkmap.actions.checks import check_acting_user, check_membership
from tenants.networkmap.errors import CONTACT_IN_FUTURE, FOLLOW_UP_BEFORE_CONTACT, INVALID_CONTACT_KIND
from tenants.networkmap.models import ContactKind, ContactMoment, KeyFigure


@transaction.atomic
def do_record_contact(
    key_figure: KeyFigure,
    *,
    acting_user,
    date: datetime.date | None = None,
    kind: str = ContactKind.VISIT,
    note: str = "",
    membership: Membership | int | None = None,
    follow_up_on: datetime.date | None = None,
) -> ContactMoment:
    """Record a contact moment and move the key figure's ``last_contact_on`` forward.

    ``membership`` is who had the contact (an official or police officer of this municipality);
    by default the acting user's own membership here. A contact recorded late (an older date)
    never moves ``last_contact_on`` back. ``follow_up_on`` is a next contact agreed in this one;
    the person who had the contact owns it (a handover passes it on when they leave).
    """
    check_acting_user(acting_user)
    today = timezone.localdate()
    date = date or today
    if date > today:
        raise CONTACT_IN_FUTURE(fields={"date": [date.isoformat()]})
    if kind not in ContactKind.values:
        raise INVALID_CONTACT_KIND(fields={"kind": [kind]}, kind=kind)
    if membership is None:
        own = current_actor(acting_user).membership
        membership = own.pk if own is not None else -1
    contact_by = check_membership(membership, roles=STAFF_ROLES, field="membership")
    if follow_up_on is not None and follow_up_on < date:
        raise FOLLOW_UP_BEFORE_CONTACT(fields={"follow_up_on": [follow_up_on.isoformat()]})
    key_figure = KeyFigure.objects.select_for_update().get(pk=key_figure.pk)
    contact = ContactMoment.objects.create(
        key_figure=key_figure,
        date=date,
        membership=contact_by,
        kind=kind,
        note=note.strip(),
        follow_up_on=follow_up_on,
        follow_up_by=contact_by if follow_up_on is not None else None,
    )
    if key_figure.last_contact_on is None or date > key_figure.last_contact_on:
        key_figure.last_contact_on = date
        key_figure.save(update_fields=["last_contact_on", "updated_at"])
    record_action(
        "networkmap.contact.recorded",
        actor=acting_user,
        obj=contact,
        detail={"key_figure": key_figure.pk, "date": date.isoformat(), "kind": kind},
    )
    return contact
