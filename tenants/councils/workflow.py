"""Meeting and agenda-item states and the transitions allowed between them.

English value constants, Dutch labels via gettext. The actions check a transition against
these tables inside a ``select_for_update`` lock, so two people cannot both hold and cancel
the same meeting.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("gepland")
    HELD = "held", _("gehouden")
    CANCELLED = "cancelled", _("afgelast")


ALLOWED_MEETING_TRANSITIONS: dict[str, frozenset[str]] = {
    MeetingStatus.PLANNED: frozenset({MeetingStatus.HELD, MeetingStatus.CANCELLED}),
    # A held meeting is history; a cancelled one is re-planned as a new meeting.
    MeetingStatus.HELD: frozenset(),
    MeetingStatus.CANCELLED: frozenset(),
}


class AgendaItemStatus(models.TextChoices):
    # Waiting for both leads to override a rule (relationship phase, international topic).
    AWAITING_OVERRIDE = "awaiting_override", _("wacht op akkoord van beide trekkers")
    OPEN = "open", _("op de agenda")
    DISCUSSED = "discussed", _("besproken")
    WITHDRAWN = "withdrawn", _("ingetrokken")


ALLOWED_AGENDA_TRANSITIONS: dict[str, frozenset[str]] = {
    AgendaItemStatus.AWAITING_OVERRIDE: frozenset({AgendaItemStatus.OPEN, AgendaItemStatus.WITHDRAWN}),
    AgendaItemStatus.OPEN: frozenset({AgendaItemStatus.DISCUSSED, AgendaItemStatus.WITHDRAWN}),
    AgendaItemStatus.DISCUSSED: frozenset(),
    AgendaItemStatus.WITHDRAWN: frozenset(),
}


def meeting_transition_allowed(current: str, new: str) -> bool:
    return new in ALLOWED_MEETING_TRANSITIONS.get(current, frozenset())


def agenda_transition_allowed(current: str, new: str) -> bool:
    return new in ALLOWED_AGENDA_TRANSITIONS.get(current, frozenset())
