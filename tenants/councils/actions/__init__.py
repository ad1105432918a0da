"""The council rules that change data. Every write of this app goes through here.

One module per part, each named for what it holds; import from this package
(``from tenants.councils import actions; actions.do_plan_meeting(...)``):

- :mod:`.rules`: the municipality's council rules (maatwerk) and their bounds;
- :mod:`.dates`: Amsterdam wall-clock time and the window of dates an action accepts;
- :mod:`.boundary`: ids resolved into rows of this municipality (leads, neighbourhoods, allies);
- :mod:`.composition`: councils, their scope, leads and deputies, seated allies;
- :mod:`.handover`: a seat passed on (deputy moves up) with the leaver's open work, recorded;
- :mod:`.meetings`: planning, holding, cancelling, attendance;
- :mod:`.agenda`: proposing, overriding, discussing and withdrawing agenda items.

Every action is ``do_<verb>_<noun>(..., *, acting_user)`` and checks who acts itself through
``agora.accounts.actors`` (the API's ``CouncilAccess`` is only the first gate), so the admin,
a socket or a form calling it gets the same refusal.
"""

from tenants.councils.actions.agenda import (
    RULE_INTERNATIONAL_TOPIC,
    RULE_RELATIONSHIP_PHASE,
    do_approve_agenda_override,
    do_change_agenda_item_status,
    do_propose_agenda_item,
    override_side,
)
from tenants.councils.actions.composition import (
    CouncilResult,
    active_member_count,
    do_add_council_members,
    do_create_council,
    do_remove_council_member,
    do_set_council_leads,
    do_update_council,
    is_administrator_title,
)
from tenants.councils.actions.dates import AMSTERDAM, EARLIEST_DATE, MAX_YEARS_AHEAD, latest_date
from tenants.councils.actions.handover import do_hand_over_seat, hand_over_all_seats
from tenants.councils.actions.meetings import (
    do_cancel_meeting,
    do_hold_meeting,
    do_plan_meeting,
    do_record_attendance,
    do_update_meeting,
    held_meeting_count,
)
from tenants.councils.actions.rules import RULE_FIELDS, RULE_MAXIMA, do_update_council_rules

__all__ = [
    "AMSTERDAM",
    "EARLIEST_DATE",
    "MAX_YEARS_AHEAD",
    "RULE_FIELDS",
    "RULE_INTERNATIONAL_TOPIC",
    "RULE_MAXIMA",
    "RULE_RELATIONSHIP_PHASE",
    "CouncilResult",
    "active_member_count",
    "do_add_council_members",
    "do_approve_agenda_override",
    "do_cancel_meeting",
    "do_change_agenda_item_status",
    "do_create_council",
    "do_hand_over_seat",
    "do_hold_meeting",
    "do_plan_meeting",
    "do_propose_agenda_item",
    "do_record_attendance",
    "do_remove_council_member",
    "do_set_council_leads",
    "do_update_council",
    "do_update_council_rules",
    "do_update_meeting",
    "hand_over_all_seats",
    "held_meeting_count",
    "is_administrator_title",
    "latest_date",
    "override_side",
]
