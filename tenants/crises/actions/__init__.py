"""The crisis room's actions, split by topic; each checks who acts through the actor core."""

from tenants.crises.actions.convening import do_declare_crisis, do_start_drill
from tenants.crises.actions.rollcall import do_contact_ally, do_escalate_unanswered, do_respond
from tenants.crises.actions.room import (
    Posted,
    do_close_crisis,
    do_post_entry,
    do_update_summary,
    enter_room,
    leave_room,
)
from tenants.crises.actions.settings import do_update_crisis_settings

__all__ = [
    "Posted",
    "do_close_crisis",
    "do_contact_ally",
    "do_declare_crisis",
    "do_escalate_unanswered",
    "do_post_entry",
    "do_respond",
    "do_start_drill",
    "do_update_crisis_settings",
    "do_update_summary",
    "enter_room",
    "leave_room",
]
