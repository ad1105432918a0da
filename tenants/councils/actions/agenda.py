"""The agenda: any member proposes any topic; both leads override a rule; items are discussed or withdrawn.

Equal standing: items are ordered by the time they were proposed, and every member (allies
included) may propose, but only in a council they may see. Two of the method's rules hold an
item back (local problems during the relationship phase, international topics); overriding
either takes one approval from each side's lead or deputy. Status moves go through
``AGENDA_ITEM_WORKFLOW`` on a locked row and write an append-only ``AgendaItemStatusChange``.
"""

from __future__ import annotations

from django.db import transaction

from agora.accounts.actors import current_actor, require_member, require_staff
from agora.audit.actions import record_action
from agora.errors import NOT_FOUND, PERMISSION_DENIED
from agora.workflow import lock
from tenants.councils import errors
from tenants.councils.access import access_council_by_id
from tenants.councils.actions.boundary import parse_client_id
from tenants.councils.actions.meetings import held_meeting_count
from tenants.councils.models import (
    AgendaItem,
    AgendaItemKind,
    AgendaItemStatusChange,
    Council,
    OverrideApproval,
    OverrideSide,
)
from tenants.councils.rules import current_rules
from tenants.councils.workflow import AGENDA_ITEM_WORKFLOW, AgendaItemStatus, MeetingStatus

RULE_RELATIONSHIP_PHASE = "relationship_phase"
RULE_INTERNATIONAL_TOPIC = "international_topic"


def _history(item: AgendaItem, acting_user):
    """The history writer ``Workflow.move`` calls: one row per move, by the acting user."""

    def write(old: str, new: str) -> AgendaItemStatusChange:
        return AgendaItemStatusChange.objects.create(
            agenda_item=item, from_status=old, to_status=new, changed_by=acting_user
        )

    return write


def _broken_agenda_rules(council: Council, *, kind: str, is_international: bool) -> list[str]:
    broken = []
    if (
        kind == AgendaItemKind.LOCAL_PROBLEM
        and held_meeting_count(council) < current_rules().relationship_meetings
    ):
        broken.append(RULE_RELATIONSHIP_PHASE)
    if is_international:
        broken.append(RULE_INTERNATIONAL_TOPIC)
    return broken


def _raise_for_rule(rule: str, council: Council, broken: list[str]) -> None:
    if rule == RULE_RELATIONSHIP_PHASE:
        raise errors.RELATIONSHIP_PHASE(
            required=current_rules().relationship_meetings,
            held=held_meeting_count(council),
            fields={"kind": [rule], "rules": broken},
        )
    raise errors.INTERNATIONAL_TOPIC(fields={"is_international": [rule], "rules": broken})


@transaction.atomic
def do_propose_agenda_item(
    council: Council,
    *,
    title: str,
    description: str = "",
    kind: str = AgendaItemKind.GENERAL,
    is_international: bool = False,
    meeting_id: int | None = None,
    request_override: bool = False,
    override_reason: str = "",
    acting_user,
) -> AgendaItem:
    """Any member puts a topic on the agenda, on any subject. Equal standing: ordered by time proposed.

    The proposer must be a member of this municipality who may see the council (staff, or an
    ally seated in it); a council they may not see is ``not_found``, as in the API.

    Two of the method's rules hold an item back: local problems wait until the relationship has
    been built (the first N held meetings), and international topics stay out. Either rule is
    refused, unless an override is requested with a reason; the item then waits for both leads.
    """
    require_member(acting_user)
    council = access_council_by_id(acting_user, council.pk)
    if kind not in AgendaItemKind.values:
        kind = AgendaItemKind.GENERAL
    meeting = None
    if meeting_id not in (None, ""):
        meeting = council.meetings.filter(
            pk=parse_client_id(meeting_id, "meeting"), status=MeetingStatus.PLANNED
        ).first()
        if meeting is None:
            raise NOT_FOUND(fields={"meeting": [meeting_id]})
    broken = _broken_agenda_rules(council, kind=kind, is_international=is_international)
    if broken and not request_override:
        _raise_for_rule(broken[0], council, broken)
    if broken and not override_reason.strip():
        raise errors.OVERRIDE_REASON_REQUIRED(fields={"override_reason": ["required"]})
    item = AgendaItem.objects.create(
        council=council,
        meeting=meeting,
        title=title.strip(),
        description=description,
        kind=kind,
        is_international=is_international,
        status=AgendaItemStatus.AWAITING_OVERRIDE if broken else AgendaItemStatus.OPEN,
        override_rules=broken,
        override_reason=override_reason.strip() if broken else "",
        proposed_by=acting_user,
    )
    _history(item, acting_user)("", item.status)
    record_action(
        "councils.agenda_override_requested" if broken else "councils.agenda_item_proposed",
        actor=acting_user,
        obj=item,
        detail={"council": council.pk, "kind": kind, "rules": broken},
    )
    return item


def override_side(council: Council, user) -> str | None:
    """Which side the user approves for: municipal or police lead/deputy of this council, else None."""
    membership = current_actor(user).membership
    if membership is None:
        return None
    if membership.pk in (council.municipal_lead_id, council.municipal_deputy_id):
        return OverrideSide.MUNICIPAL
    if membership.pk in (council.police_lead_id, council.police_deputy_id):
        return OverrideSide.POLICE
    return None


@transaction.atomic
def do_approve_agenda_override(item: AgendaItem, *, acting_user) -> AgendaItem:
    """One side's lead (or deputy) approves the override. With both sides, the item goes on the agenda.

    Leads and deputies are staff; anyone else is refused before the item is even looked at.
    """
    require_staff(acting_user)
    item = lock(AgendaItem.objects.select_related("council"), item)
    if item.status != AgendaItemStatus.AWAITING_OVERRIDE:
        raise errors.OVERRIDE_NOT_PENDING()
    side = override_side(item.council, acting_user)
    if side is None:
        raise errors.OVERRIDE_NOT_A_LEAD()
    side_nl, side_en = {
        OverrideSide.MUNICIPAL: ("gemeentekant", "municipal"),
        OverrideSide.POLICE: ("politiekant", "police"),
    }[side]
    if item.approvals.filter(side=side).exists() or item.approvals.filter(approved_by=acting_user).exists():
        raise errors.OVERRIDE_ALREADY_APPROVED(side=side, side_nl=side_nl, side_en=side_en)
    approval = OverrideApproval.objects.create(
        agenda_item=item, side=side, rules=list(item.override_rules), approved_by=acting_user
    )
    record_action(
        "councils.agenda_override_approved",
        actor=acting_user,
        obj=item,
        detail={"side": side, "rules": item.override_rules, "approval": approval.pk},
    )
    if set(item.approvals.values_list("side", flat=True)) == set(OverrideSide.values):
        AGENDA_ITEM_WORKFLOW.move(item, AgendaItemStatus.OPEN, history=_history(item, acting_user))
        record_action(
            "councils.agenda_override_granted",
            actor=acting_user,
            obj=item,
            detail={
                "rules": item.override_rules,
                "fields": ["override_reason"] if item.override_reason else [],
                "approved_by": list(item.approvals.values_list("approved_by_id", flat=True)),
            },
        )
    return item


@transaction.atomic
def do_change_agenda_item_status(item: AgendaItem, new_status: str, *, acting_user) -> AgendaItem:
    """Mark an item discussed, or withdraw it (staff, or the member who proposed it)."""
    actor = require_member(acting_user)
    item = lock(AgendaItem, item)
    if not actor.is_staff and not (
        new_status == AgendaItemStatus.WITHDRAWN and item.proposed_by_id == acting_user.pk
    ):
        raise PERMISSION_DENIED()
    AGENDA_ITEM_WORKFLOW.move(item, new_status, history=_history(item, acting_user))
    record_action("councils.agenda_item_status", actor=acting_user, obj=item, detail={"status": new_status})
    return item
