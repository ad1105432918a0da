"""Who may see which council. One place, so the API, the contact sheet, the actions and the admin agree.

Staff (officials and police officers of this municipality) see every council of the
municipality: they run the network map together. The contact sheet is narrower: only the
council's own leads, deputies and seated allies (``access_contact_sheet``). An ally sees only
the councils in which they hold a seat now. Anyone else sees nothing. Missing and forbidden
are the same 404, so an id reveals nothing about another council. Who the user is here comes
from the one actor core (``agora.accounts.actors.current_actor``).
"""

from __future__ import annotations

from django.db.models import QuerySet

from agora.accounts.actors import Actor, current_actor
from agora.errors import NOT_FOUND
from agora.ids import id_or_not_found
from tenants.councils.models import AgendaItem, Council, Meeting


def _seated_councils(actor: Actor) -> QuerySet[Council]:
    """The councils in which one of the ally's key figures holds a seat now."""
    return Council.objects.filter(
        members__key_figure_id__in=actor.ally_key_figure_ids, members__left_on__isnull=True
    ).distinct()


def councils_visible_to(user) -> QuerySet[Council]:
    """The councils this user may see in the current municipality."""
    actor = current_actor(user)
    if actor.is_staff:
        return Council.objects.all()
    if actor.is_ally and actor.ally_key_figure_ids:
        return _seated_councils(actor)
    return Council.objects.none()


def access_council_by_id(user, council_id: int | str) -> Council:
    """The council, if this user may see it; otherwise ``not_found`` (also when it does not exist)."""
    pk = id_or_not_found(council_id)
    council = councils_visible_to(user).filter(pk=pk).first()
    if council is None:
        raise NOT_FOUND()
    return council


def access_contact_sheet(user, council_id: int | str) -> Council:
    """The council whose contact sheet this user may read: its leads and deputies, and its seated allies.

    Other staff of the municipality see the council but not everybody's mobile number: the
    sheet is for the members of *this* council and nobody else. Refused is ``not_found``.
    """
    council = access_council_by_id(user, council_id)
    actor = current_actor(user)
    if actor.membership is None:
        raise NOT_FOUND()
    if actor.membership.pk in council.lead_membership_ids():
        return council
    if actor.is_ally and _seated_councils(actor).filter(pk=council.pk).exists():
        return council
    raise NOT_FOUND()


def meetings_visible_to(user) -> QuerySet[Meeting]:
    return Meeting.objects.filter(council__in=councils_visible_to(user))


def access_meeting_by_id(user, meeting_id: int | str) -> Meeting:
    pk = id_or_not_found(meeting_id)
    meeting = meetings_visible_to(user).select_related("council").filter(pk=pk).first()
    if meeting is None:
        raise NOT_FOUND()
    return meeting


def agenda_items_visible_to(user) -> QuerySet[AgendaItem]:
    return AgendaItem.objects.filter(council__in=councils_visible_to(user))


def access_agenda_item_by_id(user, item_id: int | str) -> AgendaItem:
    pk = id_or_not_found(item_id)
    item = agenda_items_visible_to(user).select_related("council").filter(pk=pk).first()
    if item is None:
        raise NOT_FOUND()
    return item
