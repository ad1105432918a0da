"""The crisis room's pages (server side, no JavaScript): the one-tap answer, the room and its forms,
the dashboard's declare and drill forms, the council's last drill, who may see which room, and
the read logging of the roll-call the page shows."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from agora.audit.models import PersonRecordRead
from tenants.crises import actions
from tenants.crises.models import Convocation, Crisis, CrisisEvent


def declare(room, **kwargs) -> Crisis:
    kwargs.setdefault("title", f"Onrust {uuid.uuid4().hex[:6]}")
    kwargs.setdefault("kind", "unrest")
    kwargs.setdefault("council_ids", [room.council.pk])
    return actions.do_declare_crisis(acting_user=room.staff.official, **kwargs)


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.content.decode()


def seqs(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<li data-seq="(\d+)"', html)]


def test_the_link_of_a_call_opens_the_one_tap_answer_and_lands_in_the_room(room, web) -> None:
    crisis = declare(room)
    ally = web(room.ally_users[0], "utrecht")
    html = page(ally, f"/crises/{crisis.pk}/")
    # Three answers, each one button of one plain form (no JavaScript needed), and an ETA field.
    assert html.count('name="answer"') == 3 and 'name="eta_minutes"' in html
    assert f'action="/crises/{crisis.pk}/antwoord/"' in html
    assert 'id="log"' not in html  # the answer comes first
    response = ally.post(f"/crises/{crisis.pk}/antwoord/", {"answer": "coming", "eta_minutes": "12"})
    assert response.status_code == 302 and response["Location"] == f"/crises/{crisis.pk}/?room=1#log"
    connection.set_schema("gm_utrecht")
    convocation = Convocation.objects.get(crisis=crisis, key_figure=room.allies[0])
    assert (convocation.answer, convocation.eta_minutes) == ("coming", 12)
    # Answered: the same link now opens the room, with the answer in the log and the roll-call.
    html = page(ally, f"/crises/{crisis.pk}/")
    assert 'id="log"' in html and 'role="log"' in html and 'aria-live="polite"' in html
    assert "ik kom (over 12 min)" in html.lower() or "komt (over 12 min)" in html.lower()
    assert "Aankomst over 12 min" in html


def test_a_refused_answer_is_a_message_and_records_nothing(room, web) -> None:
    crisis = declare(room)
    ally = web(room.ally_users[0], "utrecht")
    response = ally.post(
        f"/crises/{crisis.pk}/antwoord/", {"answer": "coming", "eta_minutes": "99999"}, follow=True
    )
    assert response.status_code == 200
    assert 'class="message error"' in response.content.decode()
    connection.set_schema("gm_utrecht")
    assert Convocation.objects.get(crisis=crisis, key_figure=room.allies[0]).answer == ""


def test_the_room_shows_rollcall_quorum_countdown_delivery_and_the_unreachable(
    room,
    web,
    sms_file,
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        crisis = declare(room)
    html = page(web(room.staff.official, "utrecht"), f"/crises/{crisis.pk}/?room=1")
    assert 'id="rollcall"' in html and 'id="countdown"' in html and 'role="timer"' in html
    (deadline,) = re.findall(r'data-deadline="([^"]+)"', html)
    assert dt.datetime.fromisoformat(deadline) == crisis.deadline_at
    for kf in room.allies[:2]:
        assert kf.first_name in html
    # The third ally has no login, number or e-mail: shown as such, with every channel's reason.
    assert "niet bereikbaar" in html
    assert "geen nummer" in html and "geen login" in html and "verzonden" in html
    assert "Quorum" in html and "Nog geen quorum" in html
    assert "Gedeeld logboek" in html and 'id="post-form"' in html


def test_the_room_logs_exactly_the_convened_allies_it_names(room, web) -> None:
    crisis = declare(room)
    client = web(room.staff.official, "utrecht")
    for path in (f"/crises/{crisis.pk}/?room=1", f"/crises/{crisis.pk}/?part=status"):
        before = PersonRecordRead.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        page(client, path)
        with schema_context("public"):
            rows = list(PersonRecordRead.objects.filter(pk__gt=before))
        assert {(r.record_type, r.record_id) for r in rows} == {
            ("networkmap.KeyFigure", str(kf.pk)) for kf in room.allies
        }, path
        assert all(r.actor_id == room.staff.official.pk and "roll-call" in r.purpose for r in rows)


def test_posting_without_javascript_is_idempotent_by_the_forms_own_id(room, web) -> None:
    crisis = declare(room)
    client = web(room.staff.police, "utrecht")
    html = page(client, f"/crises/{crisis.pk}/?room=1")
    (form_id,) = re.findall(r'name="client_msg_id" value="([0-9a-f-]{36})"', html)
    body = {"client_msg_id": form_id, "body": "Twee groepen bij de ingang", "kind": "message"}
    for _ in range(2):  # a double tap, or the back button and submit again
        response = client.post(f"/crises/{crisis.pk}/bericht/", body)
        assert response.status_code == 302
    connection.set_schema("gm_utrecht")
    assert CrisisEvent.objects.filter(crisis=crisis, kind="message.posted").count() == 1
    task = {
        "client_msg_id": str(uuid.uuid4()),
        "body": "Ouders bellen",
        "kind": "task",
        "owner_id": str(room.ally_users[1].pk),
    }
    client.post(f"/crises/{crisis.pk}/bericht/", task)
    html = page(client, f"/crises/{crisis.pk}/?room=1")
    assert "Twee groepen bij de ingang" in html
    assert f"Taak voor {room.allies[1].first_name}: Ouders bellen" in html
    listed = seqs(html)
    assert listed == sorted(set(listed)) and listed[-1] == Crisis.objects.get(pk=crisis.pk).last_seq
    # A fresh id on every render, so the next post is a new one.
    assert re.findall(r'name="client_msg_id" value="([0-9a-f-]{36})"', html) != [form_id]


def test_summary_contact_and_close_go_through_the_actions(room, web) -> None:
    crisis = declare(room)
    client = web(room.staff.official, "utrecht")
    client.post(f"/crises/{crisis.pk}/samenvatting/", {"text": "Rustig, politie ter plaatse"})
    connection.set_schema("gm_utrecht")
    ally = Convocation.objects.get(crisis=crisis, key_figure=room.allies[0])
    client.post(f"/crises/{crisis.pk}/oproepen/", {"convocation_id": str(ally.pk)})
    html = page(client, f"/crises/{crisis.pk}/?room=1")
    assert "Rustig, politie ter plaatse" in html and "Bijgewerkt door" in html
    connection.set_schema("gm_utrecht")
    assert Convocation.objects.get(pk=ally.pk).contacted_at is not None
    # An ally may not call others or close the room: the action refuses, nothing changes.
    ally_client = web(room.ally_users[0], "utrecht")
    ally_client.post(f"/crises/{crisis.pk}/sluiten/")
    connection.set_schema("gm_utrecht")
    assert Crisis.objects.get(pk=crisis.pk).status == "open"
    client.post(f"/crises/{crisis.pk}/sluiten/")
    html = page(client, f"/crises/{crisis.pk}/")
    assert 'id="post-form"' not in html and f"/api/v1/crises/{crisis.pk}/timeline/?format=html" in html
    assert "crisis-room-page.js" not in html  # a frozen room opens no socket


def test_who_may_see_a_room(room, web, people, amersfoort) -> None:
    crisis = declare(room)
    path = f"/crises/{crisis.pk}/"
    stranger_ally = people.ally("utrecht", "not-convened")
    assert web(stranger_ally, "utrecht").get(path).status_code == 404
    assert web(people.official("amersfoort"), "amersfoort").get(path).status_code == 404
    assert web(room.staff.official, "utrecht").get("/crises/999999/").status_code == 404
    assert web(room.staff.official, "utrecht").get("/crises/abc/").status_code == 404
    assert web(people.official("amersfoort"), "utrecht").get(path).status_code == 403
    assert web(None, "utrecht").get(path).status_code == 302
    refused = web(stranger_ally, "utrecht").post(f"/crises/{crisis.pk}/bericht/", {"body": "x"})
    assert refused.status_code == 404
    assert web(room.ally_users[0], "utrecht").get(f"/crises/{crisis.pk}/bericht/").status_code == 405


def test_the_dashboard_declares_and_lists_open_crises_with_their_rollcall(room, web) -> None:
    client = web(room.staff.police, "utrecht")
    html = page(client, "/dashboard/")
    assert "Crisis uitroepen" in html and f'value="{room.council.pk}"' in html
    refused = client.post(
        "/dashboard/", {"do": "declare", "crisis-title": "Zonder overleg", "crisis-kind": "unrest"}
    )
    assert refused.status_code == 200 and "error" in refused.content.decode()
    title = f"Brand in de flat {uuid.uuid4().hex[:5]}"
    response = client.post(
        "/dashboard/",
        {
            "do": "declare",
            "crisis-title": title,
            "crisis-kind": "incident",
            "crisis-council_ids": [room.council.pk],
        },
    )
    connection.set_schema("gm_utrecht")
    crisis = Crisis.objects.get(title=title)
    assert not Crisis.objects.filter(title="Zonder overleg").exists()
    assert response.status_code == 302 and response["Location"] == f"/crises/{crisis.pk}/?room=1"
    assert crisis.declared_by_id == room.staff.police.pk and crisis.convocations.count() == 7
    html = page(client, "/dashboard/")
    assert title in html and "0 van 7 komen of op afstand" in html
    assert "1 onbereikbaar" in html


def test_a_drill_from_the_page_and_its_reach_on_the_council_page(room, web) -> None:
    client = web(room.staff.official, "utrecht")
    assert "Dit overleg had nog nooit een oefenalarm." in page(client, f"/overleggen/{room.council.pk}/")
    response = client.post("/dashboard/", {"do": "drill", "drill-council_id": str(room.council.pk)})
    assert response.status_code == 302 and response["Location"] == f"/overleggen/{room.council.pk}/"
    connection.set_schema("gm_utrecht")
    drill = Crisis.objects.get(is_drill=True)
    # The ally's link opens the drill's answer, marked as a drill, and no room.
    ally = web(room.ally_users[0], "utrecht")
    html = page(ally, f"/crises/{drill.pk}/")
    assert "oefenalarm" in html.lower() and 'id="log"' not in html and html.count('name="answer"') == 3
    ally.post(f"/crises/{drill.pk}/antwoord/", {"answer": "coming"})
    html = page(client, f"/overleggen/{room.council.pk}/")
    assert "1 van 7 antwoordden" in html
    assert room.allies[0].first_name in html and "nooit geantwoord" in html and "niet bereikbaar" in html


def test_the_room_in_english(room, web) -> None:
    crisis = declare(room)
    client = web(room.staff.official, "utrecht")
    html = client.get(f"/crises/{crisis.pk}/?room=1", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in html and "Shared log" in html and "Roll-call" in html


@pytest.mark.parametrize("answer", ["coming", "remote", "unable"])
def test_each_of_the_three_taps(room, web, answer) -> None:
    crisis = declare(room)
    web(room.ally_users[1], "utrecht").post(
        f"/crises/{crisis.pk}/antwoord/", {"answer": answer, "eta_minutes": "5"}
    )
    connection.set_schema("gm_utrecht")
    convocation = Convocation.objects.get(crisis=crisis, key_figure=room.allies[1])
    assert convocation.answer == answer
    assert convocation.eta_minutes == (None if answer == "unable" else 5)
