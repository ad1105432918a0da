"""Who may see which council. One place, so the API, the contact sheet and the admin agree.

Staff (officials and police officers of this municipality) see every council of the
municipality: they run the network map together. The contact sheet is narrower: only the
council's own leads, deputies and seated allies (``access_contact_sheet``). An ally sees only
the councils in which they hold a seat now. Anyone else sees nothing. Missing and forbidden
are the same 404, so an id reveals nothing about another council.
"""

from __future__ import annotations

from django.db.models import QuerySet

from agora.accounts.actors import current_actor
from agora.accounts.models import Membership
from agora.accounts.roles import STAFF_ROLES, Role
from agora.errors import NOT_FOUND
from agora.ids import id_or_not_found
from tenants.councils.models import AgendaItem, Council, Meeting


def viewer_membership(user) -> Membership | None:
    """The user's active membership in the current municipality (None outside a tenant)."""
    return current_actor(user).membership


def is_staff(user) -> bool:
    membership = viewer_membership(user)
    return membership is not None and membership.role in STAFF_ROLES


def visible_councils(user) -> QuerySet[Council]:
    """The councils this user may see in the current municipality."""
    membership = viewer_membership(user)
    if membership is None:
        return Council.objects.none()
    if membership.role in STAFF_ROLES:
        return Council.objects.all()
    if membership.role == Role.ALLY:
        return Council.objects.filter(
            members__key_figure__user=user,
            members__key_figure__is_ally=True,
            members__left_on__isnull=True,
        ).distinct()
    return Council.objects.none()


def access_council_by_id(user, council_id: int | str) -> Council:
    """The council, if this user may see it; otherwise ``not_found`` (also when it does not exist)."""
    pk = id_or_not_found(council_id)
    council = visible_councils(user).filter(pk=pk).first()
    if council is None:
        raise NOT_FOUND()
    return council


def access_contact_sheet(user, council_id: int | str) -> Council:
    """The council whose contact sheet this user may read: its leads and deputies, and its seated allies.

    Other staff of the municipality see the council but not everybody's mobile number: the
    sheet is for the members of *this* council and nobody else. Refused is ``not_found``.
    """
    council = access_council_by_id(user, council_id)
    membership = viewer_membership(user)
    if membership is None:
        raise NOT_FOUND()
    if membership.pk in council.lead_membership_ids():
        return council
    if (
        membership.role == Role.ALLY
        and council.members.filter(
            key_figure__user=user, key_figure__is_ally=True, left_on__isnull=True
        ).exists()
    ):
        return council
    raise NOT_FOUND()


def visible_meetings(user) -> QuerySet[Meeting]:
    return Meeting.objects.filter(council__in=visible_councils(user))


def access_meeting_by_id(user, meeting_id: int | str) -> Meeting:
    pk = id_or_not_found(meeting_id)
    meeting = visible_meetings(user).select_related("council").filter(pk=pk).first()
    if meeting is None:
        raise NOT_FOUND()
    return meeting


def visible_agenda_items(user) -> QuerySet[AgendaItem]:
    return AgendaItem.objects.filter(council__in=visible_councils(user))


def access_agenda_item_by_id(user, item_id: int | str) -> AgendaItem:
    pk = id_or_not_found(item_id)
    item = visible_agenda_items(user).select_related("council").filter(pk=pk).first()
    if item is None:
        raise NOT_FOUND()
    return item
