"""No free text in the central log (issue 13.3).

The audit trail lives in the public schema, where no erasure of one municipality's person can
reach it: it carries ids, codes and field names only. Every action below takes free text; each
is called with a marker inside that text, and afterwards no audit row may contain the marker.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from agora.accounts.models import User
from agora.audit.actions import record_action
from agora.audit.models import AuditEvent
from agora.geography.models import PoliceDistrict
from agora.national.actions import do_change_national_grant, do_grant_national_access
from tenants.councils import actions as councils
from tenants.networkmap import actions as networkmap
from tenants.networkmap.models import CommunityKind
from tenants.signals import actions as signals
from tests.factories import KeyFigureFactory, NeighbourhoodFactory

pytestmark = pytest.mark.django_db

MARK = "Bel mw. terug op 06-12345678; zij is Joods"


def _text(label: str) -> str:
    return f"{MARK} ({label})"


def _scan() -> list[tuple[str, str]]:
    """Every audit row whose detail holds the marker: (action, detail)."""
    with schema_context("public"):
        rows = AuditEvent.objects.values_list("action", "detail")
        return [(action, json.dumps(detail)) for action, detail in rows if "Joods" in json.dumps(detail)]


def test_actions_that_take_free_text_keep_it_out_of_the_audit_trail(people, in_utrecht):
    official, police = people.official("utrecht"), people.police("utrecht")
    official2, police2 = people.official("utrecht", "2"), people.police("utrecht", "2")
    ally_user = people.ally("utrecht", "ft")
    connection.set_tenant(in_utrecht)
    m = {user: people.membership(user) for user in (official, police, official2, police2)}
    neighbourhood = NeighbourhoodFactory()
    ally = KeyFigureFactory(ally=True, user=ally_user, neighbourhood=neighbourhood, mobile="")
    others = [KeyFigureFactory(ally=True, neighbourhood=neighbourhood) for _ in range(4)]
    covered: set[str] = set()

    # Signals: raised, answered, closed with a note, reopened with a note.
    signal = signals.do_raise_signal(
        category="pest",
        neighbourhood_id=neighbourhood.pk,
        description=_text("description"),
        acting_user=ally_user,
    )
    signals.do_assign_signal_owner(
        signal, owner_membership_id=m[official].pk, note=_text("assign"), acting_user=official
    )
    signals.do_answer_signal(signal, body=_text("answer"), acting_user=official)
    signals.do_close_signal(signal, note=_text("close"), acting_user=official)
    signals.do_reopen_signal(signal, note=_text("reopen"), acting_user=ally_user)
    covered |= {"signal.closed", "signal.reopened"}

    # Councils: the name, a member leaving with a reason, a meeting cancelled with a reason,
    # an agenda override granted with its reason.
    council = councils.do_create_council(
        name=_text("council name"),
        municipal_lead_id=m[official].pk,
        municipal_deputy_id=m[official2].pk,
        police_lead_id=m[police].pk,
        police_deputy_id=m[police2].pk,
        key_figure_ids=[ally.pk] + [kf.pk for kf in others],
        started_on=timezone.localdate() - dt.timedelta(days=365),
        acting_user=official,
    ).council
    councils.do_update_council(council, name=_text("new council name"), acting_user=official)
    councils.do_remove_council_member(
        council, key_figure_id=others[0].pk, reason=_text("left"), acting_user=official
    )
    meeting = councils.do_plan_meeting(
        council,
        starts_at=timezone.now() + dt.timedelta(days=7),
        place=_text("place"),
        meal=_text("meal"),
        notes=_text("notes"),
        acting_user=official,
    )
    councils.do_cancel_meeting(meeting, reason=_text("cancelled"), acting_user=official)
    item = councils.do_propose_agenda_item(
        council,
        title=_text("title"),
        description=_text("topic"),
        kind="local_problem",
        request_override=True,
        override_reason=_text("override"),
        acting_user=official,
    )
    councils.do_approve_agenda_override(item, acting_user=official)
    councils.do_approve_agenda_override(item, acting_user=police)
    covered |= {
        "councils.council_created",
        "councils.council_updated",
        "councils.member_left",
        "councils.meeting_cancelled",
        "councils.agenda_override_granted",
    }

    # Network map: names of what is deleted.
    community = networkmap.do_create_community(
        {"name": _text("community"), "kind": CommunityKind.RELIGIOUS}, acting_user=official
    )
    networkmap.do_delete_community(community, acting_user=official)
    district = networkmap.do_create_city_district({"name": _text("district")}, acting_user=official)
    networkmap.do_delete_city_district(district, acting_user=official)
    gone = networkmap.do_create_neighbourhood({"name": _text("neighbourhood")}, acting_user=official)
    networkmap.do_delete_neighbourhood(gone, acting_user=official)
    covered |= {
        "networkmap.community.deleted",
        "networkmap.city_district.deleted",
        "networkmap.neighbourhood.deleted",
    }

    # The national grant's purpose, at creation and when it changes.
    connection.set_schema_to_public()
    operator = User.objects.create_superuser(username=f"op-{in_utrecht.pk}-ft", password="x" * 12)
    analyst = User.objects.create_user(username=f"an-{in_utrecht.pk}-ft", is_national_analyst=True)
    grant = do_grant_national_access(
        analyst,
        level="summary",
        purpose=_text("purpose"),
        district=PoliceDistrict.objects.get(pk=in_utrecht.district_id),
        valid_until=timezone.now() + dt.timedelta(days=30),
        acting_user=operator,
    )
    do_change_national_grant(grant.pk, purpose=_text("changed purpose"), acting_user=operator)
    covered |= {"national.grant.created", "national.grant.changed"}

    with schema_context("public"):
        written = set(AuditEvent.objects.values_list("action", flat=True))
    assert covered <= written, covered - written  # every action above really wrote its row
    assert _scan() == []


def test_record_action_drops_free_text_that_a_caller_still_passes(utrecht):
    """The last line of defence: a string that is not a code becomes the field name only."""
    event = record_action(
        "test.free_text",
        municipality=utrecht,
        detail={"code": "pest", "note": _text("slip"), "nested": {"list": ["ok_code", _text("deep")]}},
    )
    event.refresh_from_db()
    assert "Joods" not in json.dumps(event.detail)
    assert event.detail["code"] == "pest"
    assert event.detail["note"] == {"redacted": "text"}
    assert event.detail["nested"]["list"][0] == "ok_code"


def test_the_data_migration_scrubs_notes_written_before(utrecht):
    """Rows from before the fix lose their text and keep the field name (audit migration 0004)."""
    import importlib
    from types import SimpleNamespace

    from django.apps import apps

    scrub = importlib.import_module("agora.audit.migrations.0004_scrub_free_text").scrub
    with schema_context("public"):
        old = [
            AuditEvent.objects.create(action="signal.closed", municipality=utrecht, detail={"note": MARK}),
            AuditEvent.objects.create(
                action="councils.member_left",
                municipality=utrecht,
                detail={"key_figure": 7, "left_on": "2026-01-01", "reason": MARK},
            ),
            AuditEvent.objects.create(
                action="national.grant.changed",
                detail={"before": {"level": "summary", "purpose": MARK}, "after": {"purpose": "x"}},
            ),
        ]
        scrub(apps, SimpleNamespace(connection=connection))
        assert _scan() == []
        details = [AuditEvent.objects.get(pk=row.pk).detail for row in old]
    assert details[0] == {"fields": ["note"]}
    assert details[1] == {"key_figure": 7, "left_on": "2026-01-01", "fields": ["left_reason"]}
    assert details[2] == {"before": {"level": "summary"}, "after": {}, "fields": ["purpose"]}
    # The guard is back on.
    with (
        schema_context("public"),
        connection.cursor() as cursor,
        pytest.raises(Exception, match="append-only"),
        transaction.atomic(),
    ):
        cursor.execute("UPDATE audit_auditevent SET detail = '{}' WHERE id = %s", [old[0].pk])
