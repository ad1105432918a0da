"""The crisis actions: declaring and convening, answers and quorum, escalation on a controlled clock,
posts once per client_msg_id, closing and the timeline, drills and the council health gap."""

from __future__ import annotations

import datetime as dt
import json
import uuid

from django.core import mail
from django.utils import timezone

from agora.accounts.models import Membership
from tenants.councils.health import council_health
from tenants.crises import actions
from tenants.crises.log import events_after
from tenants.crises.models import Convocation, CrisisEvent, CrisisSettings
from tenants.crises.queries import crisis_state
from tenants.crises.rules import current_settings
from tenants.crises.timeline import crisis_timeline, drill_reach
from tests.helpers import assert_raises_code, capture_events

T0 = dt.datetime(2026, 3, 14, 2, 0, tzinfo=dt.UTC)


def declare(room, *, now=T0, **kwargs):
    kwargs.setdefault("title", "Onrust bij het winkelcentrum")
    kwargs.setdefault("kind", "unrest")
    kwargs.setdefault("council_ids", [room.council.pk])
    return actions.do_declare_crisis(acting_user=room.staff.official, now=now, **kwargs)


def test_declaring_convenes_every_member_once_and_notifies_them(
    room, sms_file, django_capture_on_commit_callbacks
) -> None:
    room.staff.m_police.mobile = "+31612345678"
    room.staff.m_police.save()
    room.allies[0].email = "fatima@example.org"
    room.allies[0].save()
    with capture_events() as sent, django_capture_on_commit_callbacks(execute=True):
        crisis = declare(room)
    rows = {
        (c.side, c.position): c for c in Convocation.objects.filter(crisis=crisis, key_figure__isnull=True)
    }
    assert set(rows) == {
        ("municipal", "lead"),
        ("municipal", "deputy"),
        ("police", "lead"),
        ("police", "deputy"),
    }
    assert rows[("municipal", "lead")].deputy == rows[("municipal", "deputy")]
    assert rows[("police", "lead")].deputy == rows[("police", "deputy")]
    allies = Convocation.objects.filter(crisis=crisis, side="ally")
    assert allies.count() == 3
    unreachable = allies.get(key_figure=room.allies[2])
    assert unreachable.reachable is False and unreachable.channels == []
    assert crisis.deadline_at == T0 + dt.timedelta(minutes=60)
    # The log: declared, the roll-call, then (after the commit) what the calls did, numbered 1, 2, 3.
    assert [(e["seq"], e["kind"]) for e in events_after(crisis.pk, 0)] == [
        (1, "crisis.declared"),
        (2, "rollcall.convened"),
        (3, "rollcall.delivered"),
    ]
    unreachable.refresh_from_db()
    assert unreachable.delivery == {"app": "no_login", "sms": "no_number", "email": "no_address"}
    police_lead = Convocation.objects.get(crisis=crisis, side="police", position="lead")
    assert police_lead.delivery["sms"] == "sent" and police_lead.delivered_at is not None
    # In the app: the staff group and the own groups of the allies with a login only.
    (convened,) = [e for e in sent if e["event"] == "crisis.convened"]
    assert convened["payload"]["crisis_id"] == crisis.pk
    assert len([g for g in convened["groups"] if ".ally." in g]) == 2
    # SMS to the police lead and the allies with a number; e-mail to the ally with an address.
    texts = [json.loads(line) for line in sms_file.read_text().splitlines()]
    assert "+31612345678" in {t["to"] for t in texts}
    assert len(texts) == 3  # police lead + two allies with numbers (the third has none)
    assert [m.to for m in mail.outbox] == [["fatima@example.org"]]
    for text in [t["text"] for t in texts] + [m.body for m in mail.outbox]:
        assert f"/crises/{crisis.pk}/" in text
        # Nobody else's name or number in anyone's call.
        for kf in room.allies:
            assert kf.last_name not in text
        assert "+31612345678" not in text


def test_a_member_in_two_councils_is_called_once(room, make_council) -> None:
    other = make_council(allies=[room.allies[0]])
    crisis = declare(room, council_ids=[room.council.pk, other.pk])
    assert Convocation.objects.filter(crisis=crisis, membership=room.staff.m_official).count() == 1
    assert Convocation.objects.filter(crisis=crisis, key_figure=room.allies[0]).count() == 1


def test_only_staff_declare_and_only_this_municipalitys_councils(room, people, amersfoort) -> None:
    with assert_raises_code("permission_denied", status=403):
        actions.do_declare_crisis(
            title="x", kind="incident", council_ids=[room.council.pk], acting_user=room.ally_users[0]
        )
    with assert_raises_code("permission_denied", status=403):
        actions.do_declare_crisis(
            title="x",
            kind="incident",
            council_ids=[room.council.pk],
            acting_user=people.official("amersfoort"),
        )
    with assert_raises_code("crisis_council_outside_municipality", status=400):
        declare(room, council_ids=[room.council.pk + 100000])
    with assert_raises_code("crisis_council_outside_municipality", status=400):
        declare(room, council_ids=["١٢"])
    with assert_raises_code("crisis_neighbourhood_outside_municipality", status=400):
        declare(room, neighbourhood_ids=[987654321])
    with assert_raises_code("crisis_councils_required", status=400):
        declare(room, council_ids=[])
    with assert_raises_code("crisis_kind_invalid", status=400):
        declare(room, kind="riot")


def test_answers_reach_quorum_once(room) -> None:
    crisis = declare(room)
    actions.do_respond(crisis.pk, answer="coming", eta_minutes=20, acting_user=room.staff.official, now=T0)
    actions.do_respond(
        crisis.pk, answer="remote", acting_user=room.staff.police, now=T0 + dt.timedelta(minutes=4)
    )
    actions.do_respond(crisis.pk, answer="coming", eta_minutes=10, acting_user=room.ally_users[0], now=T0)
    assert crisis_state(crisis)["quorum"]["reached"] is False
    actions.do_respond(
        crisis.pk,
        answer="coming",
        eta_minutes=5,
        acting_user=room.ally_users[1],
        now=T0 + dt.timedelta(minutes=7),
    )
    crisis.refresh_from_db()
    assert crisis.quorum_at == T0 + dt.timedelta(minutes=7)
    kinds = [e.kind for e in CrisisEvent.objects.filter(crisis=crisis)]
    assert kinds.count("quorum.reached") == 1
    # Changing one's answer later is recorded; the quorum moment stays.
    actions.do_respond(
        crisis.pk, answer="unable", acting_user=room.ally_users[1], now=T0 + dt.timedelta(minutes=9)
    )
    crisis.refresh_from_db()
    assert crisis.quorum_at == T0 + dt.timedelta(minutes=7)


def test_respond_refuses_bad_answers_and_the_unconvened(room, people) -> None:
    crisis = declare(room)
    with assert_raises_code("crisis_answer_invalid", status=400):
        actions.do_respond(crisis.pk, answer="maybe", acting_user=room.staff.official)
    with assert_raises_code("crisis_eta_invalid", status=400):
        actions.do_respond(crisis.pk, answer="coming", eta_minutes="٥", acting_user=room.staff.official)
    with assert_raises_code("crisis_not_convened", status=403):
        actions.do_respond(crisis.pk, answer="coming", acting_user=people.official("utrecht", "3"))
    with assert_raises_code("not_found", status=404):  # an ally not called cannot see the crisis at all
        actions.do_respond(crisis.pk, answer="coming", acting_user=people.ally("utrecht", "stranger"))


def test_an_unanswered_lead_is_escalated_to_the_deputy_on_the_clock(
    room, sms_file, django_capture_on_commit_callbacks
) -> None:
    room.staff.m_official2.mobile = "+31687654321"
    room.staff.m_official2.save()
    crisis = declare(room)
    actions.do_respond(
        crisis.pk, answer="coming", acting_user=room.staff.police, now=T0 + dt.timedelta(minutes=2)
    )
    sms_file.write_text("")
    # Nine minutes: nothing yet.
    assert actions.do_escalate_unanswered(now=T0 + dt.timedelta(minutes=9, seconds=59)) == []
    with django_capture_on_commit_callbacks(execute=True):
        escalated = actions.do_escalate_unanswered(now=T0 + dt.timedelta(minutes=10))
    assert [(c.side, c.position) for c in escalated] == [("municipal", "lead")]
    lead = Convocation.objects.get(crisis=crisis, membership=room.staff.m_official)
    assert lead.escalated_at == T0 + dt.timedelta(minutes=10)
    (event,) = CrisisEvent.objects.filter(crisis=crisis, kind="rollcall.escalated")
    assert event.payload["deputy_id"] == lead.deputy_id
    texts = [json.loads(line) for line in sms_file.read_text().splitlines()]
    assert [t["to"] for t in texts] == ["+31687654321"]
    assert "nogmaals" in texts[0]["text"]
    # Once only.
    assert actions.do_escalate_unanswered(now=T0 + dt.timedelta(minutes=30)) == []


def test_escalation_follows_the_municipality_setting(room) -> None:
    CrisisSettings.objects.update_or_create(singleton=True, defaults={"escalate_after_minutes": 3})
    crisis = declare(room)
    assert len(actions.do_escalate_unanswered(now=T0 + dt.timedelta(minutes=3))) == 2
    assert current_settings().escalate_after_minutes == 3
    assert crisis.convocations.filter(escalated_at__isnull=False).count() == 2


def test_a_post_is_stored_once_per_client_msg_id(room) -> None:
    crisis = declare(room)
    msg = uuid.uuid4()
    first = actions.do_post_entry(
        crisis.pk, client_msg_id=msg, body="Ik ben er", acting_user=room.staff.police
    )
    again = actions.do_post_entry(
        crisis.pk, client_msg_id=str(msg), body="Ik ben er", acting_user=room.staff.police
    )
    assert first.created and not again.created and first.event.seq == again.event.seq
    # The same id from someone else is their own post.
    other = actions.do_post_entry(crisis.pk, client_msg_id=msg, body="Ik ook", acting_user=room.ally_users[0])
    assert other.created and other.event.seq == first.event.seq + 1
    with assert_raises_code("crisis_client_msg_id_invalid", status=400):
        actions.do_post_entry(crisis.pk, client_msg_id="nope", body="x", acting_user=room.staff.police)
    with assert_raises_code("crisis_body_invalid", status=400):
        actions.do_post_entry(crisis.pk, client_msg_id=uuid.uuid4(), body=" ", acting_user=room.staff.police)
    with assert_raises_code("crisis_task_owner_invalid", status=400):
        actions.do_post_entry(
            crisis.pk,
            client_msg_id=uuid.uuid4(),
            body="Bellen",
            kind="task",
            owner_id=987654,
            acting_user=room.staff.police,
        )
    task = actions.do_post_entry(
        crisis.pk,
        client_msg_id=uuid.uuid4(),
        body="Bellen",
        kind="task",
        owner_id=room.ally_users[1].pk,
        acting_user=room.staff.police,
    )
    assert task.event.kind == "task.assigned" and task.event.payload["owner_id"] == room.ally_users[1].pk
    seqs = list(CrisisEvent.objects.filter(crisis=crisis).values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))  # no gaps, refused posts took no number


def test_closing_freezes_the_room_and_the_timeline_has_the_times(room) -> None:
    crisis = declare(room)
    for minutes, user in (
        (3, room.staff.official),
        (5, room.staff.police),
        (8, room.ally_users[0]),
        (12, room.ally_users[1]),
    ):
        actions.do_respond(
            crisis.pk, answer="coming", acting_user=user, now=T0 + dt.timedelta(minutes=minutes)
        )
    for user in (room.staff.official, room.staff.police, room.ally_users[0]):
        actions.enter_room(crisis.pk, acting_user=user, channel_name="c", now=T0 + dt.timedelta(minutes=20))
    crisis.refresh_from_db()
    assert crisis.first_meeting_at is None
    actions.enter_room(
        crisis.pk, acting_user=room.ally_users[1], channel_name="c", now=T0 + dt.timedelta(minutes=25)
    )
    actions.do_update_summary(
        crisis.pk, text="Rustig", acting_user=room.ally_users[0], now=T0 + dt.timedelta(minutes=26)
    )
    with assert_raises_code("permission_denied", status=403):
        actions.do_close_crisis(crisis.pk, acting_user=room.ally_users[0])
    actions.do_close_crisis(crisis.pk, acting_user=room.staff.official, now=T0 + dt.timedelta(hours=2))
    crisis.refresh_from_db()
    timeline = crisis_timeline(crisis)
    assert timeline["declaration_to_quorum_seconds"] == 12 * 60
    assert timeline["declaration_to_first_meeting_seconds"] == 25 * 60
    assert timeline["quorum_within_goal"] is True
    assert timeline["entries"][-1]["kind"] == "crisis.closed"
    with assert_raises_code("crisis_closed", status=409):
        actions.do_post_entry(crisis.pk, client_msg_id=uuid.uuid4(), body="x", acting_user=room.staff.police)
    with assert_raises_code("crisis_closed", status=409):
        actions.do_respond(crisis.pk, answer="coming", acting_user=room.staff.official2)


def test_allies_are_contacted_one_by_one_by_staff(room) -> None:
    crisis = declare(room)
    ally = Convocation.objects.get(crisis=crisis, key_figure=room.allies[2])
    contacted = actions.do_contact_ally(crisis.pk, ally.pk, acting_user=room.staff.police, now=T0)
    assert contacted.contacted_at == T0
    event = CrisisEvent.objects.filter(crisis=crisis, kind="ally.contacted").get()
    assert event.payload == {"convocation_id": ally.pk, "reachable": False}
    lead = Convocation.objects.get(crisis=crisis, membership=room.staff.m_official)
    with assert_raises_code("crisis_not_an_ally", status=400):
        actions.do_contact_ally(crisis.pk, lead.pk, acting_user=room.staff.police)
    with assert_raises_code("permission_denied", status=403):
        actions.do_contact_ally(crisis.pk, ally.pk, acting_user=room.ally_users[0])


def test_drills_convene_without_a_room_and_count_in_council_health(room) -> None:
    assert council_health(room.council.pk)["councils"][0]["drill"]["gap"] is True
    drill = actions.do_start_drill(room.council, acting_user=room.staff.police, now=timezone.now())
    assert drill.is_drill
    with assert_raises_code("crisis_is_drill", status=409):
        actions.do_post_entry(drill.pk, client_msg_id=uuid.uuid4(), body="x", acting_user=room.staff.police)
    actions.do_respond(drill.pk, answer="coming", acting_user=room.ally_users[0])
    reach = drill_reach(drill)
    assert (reach["called"], reach["answered"], reach["unreachable"]) == (7, 1, 1)
    assert reach["members"][0]["answer_seconds"] is not None or reach["answered"] == 1
    assert council_health(room.council.pk)["councils"][0]["drill"]["gap"] is False
    # Older than the setting (6 months by default): a gap again.
    later = timezone.localdate() + dt.timedelta(days=200)
    assert council_health(room.council.pk, today=later)["councils"][0]["drill"]["gap"] is True


def test_a_deactivated_lead_is_shown_unreachable(room) -> None:
    Membership.objects.filter(pk=room.staff.m_police2.pk).update(is_active=False)
    crisis = declare(room)
    row = Convocation.objects.get(crisis=crisis, membership=room.staff.m_police2)
    assert row.reachable is False
    state = crisis_state(crisis, now=T0)
    statuses = {r["id"]: r["status"] for r in state["rollcall"]}
    assert statuses[row.pk] == "unreachable"
    assert crisis_state(crisis, now=T0 + dt.timedelta(hours=2))["rollcall"][0]["status"] in (
        "no_answer",
        "unreachable",
    )


def test_staff_change_the_crisis_settings_within_bounds(room) -> None:
    changed = actions.do_update_crisis_settings(
        {"escalate_after_minutes": 5, "quorum_allies": 1}, acting_user=room.staff.police
    )
    assert (changed.escalate_after_minutes, changed.quorum_allies) == (5, 1)
    with assert_raises_code("crisis_setting_invalid", status=400):
        actions.do_update_crisis_settings({"goal_minutes": 0}, acting_user=room.staff.police)
    with assert_raises_code("crisis_setting_invalid", status=400):
        actions.do_update_crisis_settings({"quorum_allies": "٣"}, acting_user=room.staff.police)
    with assert_raises_code("permission_denied", status=403):
        actions.do_update_crisis_settings({"quorum_allies": 3}, acting_user=room.ally_users[0])
    assert current_settings().quorum_allies == 1


def test_the_settings_admin_saves_through_the_action(room, web, people) -> None:
    client = web(room.staff.official)
    current_settings()
    page = client.get("/admin/crises/crisissettings/")
    assert page.status_code == 200
    settings_pk = CrisisSettings.objects.get().pk
    data = {
        "goal_minutes": 45,
        "escalate_after_minutes": 0,
        "quorum_municipal": 1,
        "quorum_police": 1,
        "quorum_allies": 2,
        "drill_max_age_months": 6,
    }
    refused = client.post(f"/admin/crises/crisissettings/{settings_pk}/change/", data)
    assert refused.status_code == 200 and current_settings().escalate_after_minutes == 10
    data["escalate_after_minutes"] = 7
    saved = client.post(f"/admin/crises/crisissettings/{settings_pk}/change/", data)
    assert saved.status_code == 302 and current_settings().escalate_after_minutes == 7
    assert web(room.ally_users[0]).get("/admin/crises/crisissettings/").status_code in (302, 403)


class BrokenSms:
    def send(self, number: str, text: str) -> None:
        raise OSError("gateway down")


def test_a_failing_channel_is_recorded_as_failed_and_nothing_reached_is_unreachable(
    room, settings, django_capture_on_commit_callbacks
) -> None:
    """The notifier never skips silently: a failed SMS shows as failed in the roll-call and the log."""
    settings.AGORA_SMS_BACKEND = f"{__name__}.BrokenSms"
    room.allies[0].email = "fatima@example.org"
    room.allies[0].save()
    # An ally with a number but no login: the SMS was their only way in.
    room.allies[1].user = None
    room.allies[1].mobile = "+31687654321"
    room.allies[1].save()
    with django_capture_on_commit_callbacks(execute=True):
        crisis = declare(room)
    first = Convocation.objects.get(crisis=crisis, key_figure=room.allies[0])
    second = Convocation.objects.get(crisis=crisis, key_figure=room.allies[1])
    assert first.delivery["sms"] == "failed" and first.delivery["email"] == "sent"
    assert first.reachable is True  # the app and the e-mail reached them
    assert second.delivery == {"app": "no_login", "sms": "failed", "email": "no_address"}
    assert second.reachable is False
    rows = {r["id"]: r for r in crisis_state(crisis)["rollcall"]}
    assert rows[second.pk]["status"] == "unreachable" and rows[second.pk]["delivery"]["sms"] == "failed"
    (logged,) = [e for e in events_after(crisis.pk, 0) if e["kind"] == "rollcall.delivered"]
    assert logged["data"]["failed"] >= 2
    assert {d["convocation_id"] for d in logged["data"]["deliveries"]} == set(
        Convocation.objects.filter(crisis=crisis).values_list("pk", flat=True)
    )


def test_a_call_again_records_its_delivery_too(room, sms_file, django_capture_on_commit_callbacks) -> None:
    crisis = declare(room)
    ally = Convocation.objects.get(crisis=crisis, key_figure=room.allies[0])
    assert ally.delivery["sms"] == "pending"  # the declaration's calls were never sent (no commit here)
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_contact_ally(crisis.pk, ally.pk, acting_user=room.staff.official)
    ally.refresh_from_db()
    assert ally.delivery["sms"] == "sent"
