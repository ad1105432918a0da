"""Meetings and agenda items move through ``agora.workflow`` and keep an append-only history.

Walks both tables (every pair of states, allowed or refused, counted so that the walk cannot
pass on an empty loop), checks that each move writes exactly one history row naming who
moved it, that a refused move writes none, and that ``invalid_transition`` names the state in
the reader's language.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import transaction
from django.utils import timezone

from agora.history import AppendOnlyError
from agora.workflow import registered_workflows
from tenants.councils import actions
from tenants.councils.models import AgendaItemStatusChange, MeetingStatusChange
from tenants.councils.workflow import (
    AGENDA_ITEM_WORKFLOW,
    MEETING_WORKFLOW,
    AgendaItemStatus,
    MeetingStatus,
)
from tests.helpers import assert_raises_code
from tests.tenants.councils.conftest import hold_with_attendance

pytestmark = pytest.mark.django_db


def _history(meeting) -> list[tuple[str, str, int]]:
    return [
        (row.from_status, row.to_status, row.changed_by_id)
        for row in MeetingStatusChange.objects.filter(meeting=meeting).order_by("pk")
    ]


def _item_history(item) -> list[tuple[str, str, int]]:
    return [
        (row.from_status, row.to_status, row.changed_by_id)
        for row in AgendaItemStatusChange.objects.filter(agenda_item=item).order_by("pk")
    ]


def _past_meeting(council, staff):
    return actions.do_plan_meeting(
        council,
        starts_at=timezone.now() - dt.timedelta(days=3),
        place="Buurthuis",
        meal="Soep",
        acting_user=staff.official,
    )


def test_both_council_workflows_are_registered_and_walked():
    workflows = registered_workflows()
    assert workflows["councils.meeting"] is MEETING_WORKFLOW
    assert workflows["councils.agenda_item"] is AGENDA_ITEM_WORKFLOW
    for workflow in (MEETING_WORKFLOW, AGENDA_ITEM_WORKFLOW):
        allowed = refused = 0
        for current, new in itertools.product(workflow.states, repeat=2):
            if workflow.allowed(current, new):
                workflow.check(current, new)
                allowed += 1
            else:
                with assert_raises_code("invalid_transition", status=409):
                    workflow.check(current, new)
                refused += 1
        assert allowed == sum(len(targets) for targets in workflow.transitions.values())
        assert allowed + refused == len(workflow.states) ** 2 and refused > allowed


def test_planning_and_holding_write_one_history_row_each(staff, make_council):
    meeting = _past_meeting(make_council(), staff)
    assert _history(meeting) == [("", MeetingStatus.PLANNED, staff.official.pk)]
    hold_with_attendance(meeting, staff.police)
    assert _history(meeting) == [
        ("", MeetingStatus.PLANNED, staff.official.pk),
        (MeetingStatus.PLANNED, MeetingStatus.HELD, staff.police.pk),
    ]


def test_a_refused_move_writes_no_history_and_names_the_state_in_both_languages(staff, make_council):
    meeting = _past_meeting(make_council(), staff)
    actions.do_cancel_meeting(meeting, reason="Storm", acting_user=staff.official)
    assert _history(meeting)[-1] == (MeetingStatus.PLANNED, MeetingStatus.CANCELLED, staff.official.pk)
    with assert_raises_code("invalid_transition", status=409) as refused, transaction.atomic():
        actions.do_hold_meeting(meeting, acting_user=staff.official)
    assert len(_history(meeting)) == 2
    assert refused.value.params["current"] == MeetingStatus.CANCELLED
    assert "afgelast" in refused.value.message("nl")
    assert "(cancelled)" in refused.value.message("en")


def test_invalid_transition_over_the_api_speaks_the_readers_language(api, staff, make_council):
    meeting = _past_meeting(make_council(), staff)
    actions.do_cancel_meeting(meeting, acting_user=staff.official)
    url = f"/api/v1/council-meetings/{meeting.pk}/cancel/"
    dutch = api(staff.official, language="nl").post(url, {}, format="json").json()
    english = api(staff.official, language="en").post(url, {}, format="json").json()
    assert dutch["code"] == english["code"] == "invalid_transition"
    assert "afgelast" in dutch["detail"] and "cancelled" in english["detail"]


def test_agenda_items_keep_their_history(staff, make_council):
    council = make_council()
    item = actions.do_propose_agenda_item(
        council,
        title="Familie in het buitenland",
        is_international=True,
        request_override=True,
        override_reason="Speelt in de hele wijk",
        acting_user=staff.police,
    )
    assert _item_history(item) == [("", AgendaItemStatus.AWAITING_OVERRIDE, staff.police.pk)]
    actions.do_approve_agenda_override(item, acting_user=staff.official)
    assert len(_item_history(item)) == 1  # one side is not enough to move it
    actions.do_approve_agenda_override(item, acting_user=staff.police2)
    actions.do_change_agenda_item_status(item, AgendaItemStatus.DISCUSSED, acting_user=staff.official2)
    assert _item_history(item) == [
        ("", AgendaItemStatus.AWAITING_OVERRIDE, staff.police.pk),
        (AgendaItemStatus.AWAITING_OVERRIDE, AgendaItemStatus.OPEN, staff.police2.pk),
        (AgendaItemStatus.OPEN, AgendaItemStatus.DISCUSSED, staff.official2.pk),
    ]
    with assert_raises_code("invalid_transition", status=409) as refused, transaction.atomic():
        actions.do_change_agenda_item_status(item, AgendaItemStatus.WITHDRAWN, acting_user=staff.official)
    assert "besproken" in refused.value.message("nl") and "discussed" in refused.value.message("en")
    assert len(_item_history(item)) == 3


def test_history_rows_are_append_only(staff, make_council):
    meeting = _past_meeting(make_council(), staff)
    row = MeetingStatusChange.objects.get(meeting=meeting)
    row.to_status = MeetingStatus.HELD
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()
    item = actions.do_propose_agenda_item(make_council(), title="Buurtfeest", acting_user=staff.official)
    with pytest.raises(AppendOnlyError):
        AgendaItemStatusChange.objects.get(agenda_item=item).delete()
