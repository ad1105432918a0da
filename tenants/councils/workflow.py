"""Meeting and agenda-item states and the transitions allowed between them.

English value constants; Dutch labels via gettext for the admin, and both languages in the
workflows (``agora.workflow.Workflow``) so that ``invalid_transition`` names the state in the
reader's language. The actions lock the row (``agora.workflow.lock``) and move it with
``Workflow.move``, which checks the table and writes the append-only history row
(``MeetingStatusChange`` / ``AgendaItemStatusChange``) in the same transaction: two people
cannot both hold and cancel the same meeting.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from agora.workflow import Workflow


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

MEETING_WORKFLOW = Workflow(
    name="councils.meeting",
    labels={
        MeetingStatus.PLANNED: {"en": "planned", "nl": "gepland"},
        MeetingStatus.HELD: {"en": "held", "nl": "gehouden"},
        MeetingStatus.CANCELLED: {"en": "cancelled", "nl": "afgelast"},
    },
    transitions=ALLOWED_MEETING_TRANSITIONS,
)


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

AGENDA_ITEM_WORKFLOW = Workflow(
    name="councils.agenda_item",
    labels={
        AgendaItemStatus.AWAITING_OVERRIDE: {
            "en": "awaiting both leads' approval",
            "nl": "wacht op akkoord van beide trekkers",
        },
        AgendaItemStatus.OPEN: {"en": "on the agenda", "nl": "op de agenda"},
        AgendaItemStatus.DISCUSSED: {"en": "discussed", "nl": "besproken"},
        AgendaItemStatus.WITHDRAWN: {"en": "withdrawn", "nl": "ingetrokken"},
    },
    transitions=ALLOWED_AGENDA_TRANSITIONS,
)


def meeting_transition_allowed(current: str, new: str) -> bool:
    return MEETING_WORKFLOW.allowed(current, new)


def agenda_transition_allowed(current: str, new: str) -> bool:
    return AGENDA_ITEM_WORKFLOW.allowed(current, new)
