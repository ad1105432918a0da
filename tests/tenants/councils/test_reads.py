"""What the council endpoints show, to whom, and that every person record shown is logged.

Also: the list and the health stay at a fixed number of queries however many councils there are.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from agora.audit.models import PersonRecordRead
from tenants.councils import actions
from tenants.councils.health import council_health
from tenants.signals.actions import do_raise_signal
from tenants.signals.stats import signal_stats
from tests.tenants.councils.conftest import hold_with_attendance

pytestmark = pytest.mark.django_db


def _key_figure_reads(actor, purpose: str) -> list[str]:
    return sorted(
        r.record_id
        for r in PersonRecordRead.objects.filter(
            actor=actor, purpose=purpose, record_type="networkmap.KeyFigure"
        )
    )


# --- D3: list and write responses log their person reads ---


def test_list_logs_every_member_shown(api, staff, make_council, in_utrecht):
    one, two = make_council(allies=2), make_council(allies=3)
    response = api(staff.official).get("/api/v1/councils/")
    assert response.status_code == 200
    connection.set_tenant(in_utrecht)
    shown = sorted(str(seat.key_figure_id) for c in (one, two) for seat in c.members.all())
    assert len(shown) == 5
    assert _key_figure_reads(staff.official, "councils list") == shown


def test_write_responses_log_their_reads(api, staff, make_council, ally_factory, in_utrecht):
    council = make_council(allies=2)
    newcomer = ally_factory()
    response = api(staff.official2).post(
        f"/api/v1/councils/{council.pk}/members/", {"key_figures": [newcomer.pk]}, format="json"
    )
    assert response.status_code == 200, response.json()
    connection.set_tenant(in_utrecht)
    shown = sorted(str(seat.key_figure_id) for seat in council.members.all())
    assert len(shown) == 3
    assert _key_figure_reads(staff.official2, f"council {council.pk}") == shown


# --- D11: allies see a minimal council and meeting ---


def test_ally_sees_names_and_dates_but_no_staff_details(
    api, people, staff, ally_factory, make_council, in_utrecht
):
    ally_user = people.ally("utrecht", "min")
    mine = ally_factory(user=ally_user, first_name="Samira", last_name="Bakker")
    leaving = ally_factory(first_name="Kees", last_name="Vertrokken")
    council = make_council(allies=[mine, leaving, ally_factory()])
    actions.do_remove_council_member(
        council, leaving.pk, reason="Ruzie met de wijkagent", acting_user=staff.official
    )
    meeting = actions.do_plan_meeting(
        council,
        starts_at=timezone.now() - dt.timedelta(days=2),
        place="Buurthuis",
        meal="Soep",
        notes="Vertrouwelijk: spanningen tussen twee families",
        acting_user=staff.official,
    )
    hold_with_attendance(meeting, staff.official)
    client = api(ally_user)
    for body in (
        client.get(f"/api/v1/councils/{council.pk}/").json(),
        client.get("/api/v1/councils/").json()["results"][0],
    ):
        text = str(body)
        assert "Samira Bakker" in text
        assert "Vertrokken" not in text and "Ruzie" not in text
        assert "former_members" not in body and "acknowledgements" not in body
        assert set(body["members"][0]) == {"name"}
        assert set(body["municipal_lead"]) == {"name"}
    for body in (
        client.get(f"/api/v1/council-meetings/{meeting.pk}/").json(),
        client.get("/api/v1/council-meetings/").json()["results"][0],
    ):
        assert body["place"] == "Buurthuis" and body["meal"] == "Soep" and body["starts_at"]
        assert "notes" not in body and "attendance" not in body
    # Staff still see everything.
    staff_body = api(staff.official).get(f"/api/v1/councils/{council.pk}/").json()
    assert staff_body["former_members"][0]["left_reason"] == "Ruzie met de wijkagent"
    staff_meeting = api(staff.official).get(f"/api/v1/council-meetings/{meeting.pk}/").json()
    assert staff_meeting["notes"].startswith("Vertrouwelijk") and staff_meeting["attendance"]
    # The ally's read of the list is logged for the current members only.
    connection.set_tenant(in_utrecht)
    current = sorted(str(s.key_figure_id) for s in council.members.filter(left_on__isnull=True))
    assert _key_figure_reads(ally_user, "councils list") == current


# --- security: no serializer offers a choice of the platform's users ---


@pytest.fixture
def browsable(monkeypatch):
    """The browsable API, as in DEBUG (the settings only turn it on there)."""
    from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer

    from api.councils.agenda_views import AgendaItemViewSet
    from api.councils.meeting_views import MeetingViewSet
    from api.councils.views import CouncilViewSet

    for view in (AgendaItemViewSet, CouncilViewSet, MeetingViewSet):
        monkeypatch.setattr(view, "renderer_classes", [JSONRenderer, BrowsableAPIRenderer])


def test_browsable_api_lists_no_users(api, people, staff, ally_factory, make_council, browsable):
    amersfoort_official = people.official("amersfoort", "secret")
    ally_user = people.ally("utrecht", "br")
    make_council(allies=[ally_factory(user=ally_user)])
    for url in (
        "/api/v1/council-agenda-items/?format=api",
        "/api/v1/council-meetings/?format=api",
        "/api/v1/councils/?format=api",
    ):
        for user in (ally_user, staff.official):
            response = api(user).get(url)
            assert response.status_code == 200, (url, response.status_code)
            page = response.content.decode()
            assert "<form" in page  # the page renders its forms
            assert amersfoort_official.username not in page, url
            assert staff.police2.username not in page, url


def test_no_output_serializer_offers_a_queryset():
    """Every related field of the app's model serializers is read-only: no select over any table."""
    from rest_framework import serializers as drf

    from api.councils import serializers as module

    checked = 0
    for value in vars(module).values():
        if (
            isinstance(value, type)
            and issubclass(value, drf.ModelSerializer)
            and value is not drf.ModelSerializer
        ):
            for name, field in value().fields.items():
                child = getattr(field, "child_relation", field)
                if isinstance(child, drf.RelatedField):
                    checked += 1
                    assert field.read_only, f"{value.__name__}.{name}"
    assert checked >= 5


def test_proposed_by_is_the_requesting_user(api, people, ally_factory, make_council, staff):
    ally_user = people.ally("utrecht", "pb")
    council = make_council(allies=[ally_factory(user=ally_user)])
    response = api(ally_user).post(
        "/api/v1/council-agenda-items/",
        {"council": council.pk, "title": "Feest", "proposed_by": staff.official.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["proposed_by"] == ally_user.pk


# --- D4: a fixed number of queries for any number of councils ---


def _councils_with_history(make_council, staff, count: int, neighbourhood) -> None:
    hood = neighbourhood(f"Wijk {count}")
    for n in range(count):
        kwargs = {} if n % 2 else {"covers_whole_municipality": False, "neighbourhood_ids": [hood.pk]}
        council = make_council(allies=2, **kwargs)
        meeting = actions.do_plan_meeting(
            council,
            starts_at=timezone.now() - dt.timedelta(days=20),
            place="x",
            meal="Soep",
            acting_user=staff.official,
        )
        actions.do_record_attendance(meeting, leads={staff.m_official.pk: True}, acting_user=staff.official)
        hold_with_attendance(meeting, staff.official)
        actions.do_plan_meeting(
            council,
            starts_at=timezone.now() + dt.timedelta(days=20),
            place="x",
            meal="Soep",
            acting_user=staff.official,
        )


def _queries(django_assert_max_num_queries, run) -> int:
    with django_assert_max_num_queries(1000) as captured:
        run()
    return len(captured.captured_queries)


@pytest.mark.parametrize("url", ["/api/v1/councils/", "/api/v1/councils/health/"])
def test_query_count_does_not_grow_with_councils(
    api, staff, make_council, neighbourhood, django_assert_max_num_queries, url
):
    client = api(staff.official)
    _councils_with_history(make_council, staff, 1, neighbourhood)
    client.get(url)  # warm up (rules row, sessions)
    one = _queries(django_assert_max_num_queries, lambda: client.get(url))
    _councils_with_history(make_council, staff, 5, neighbourhood)
    assert len(client.get(url).json()["results" if url.endswith("councils/") else "councils"]) == 6
    with django_assert_max_num_queries(one):
        response = client.get(url)
    assert response.status_code == 200


def test_grouped_signal_figures_match_the_signals_app(
    staff, make_council, neighbourhood, ally_factory, in_utrecht
):
    north, south = neighbourhood("Noord"), neighbourhood("Zuid")
    ally = ally_factory(neighbourhood=north)
    whole = make_council(allies=[ally], started_on=timezone.localdate() - dt.timedelta(days=60))
    scoped = make_council(
        allies=1,
        covers_whole_municipality=False,
        neighbourhood_ids=[north.pk],
        started_on=timezone.localdate(),
    )
    for hood, days in ((north, 30), (north, 0), (south, 10)):
        do_raise_signal(
            category="illegal_dumping",
            neighbourhood_id=hood.pk,
            description="Afval",
            ally_id=ally.pk,
            acting_user=staff.official,
            raised_at=timezone.now() - dt.timedelta(days=days),
        )
    report = {c["id"]: c["signals"] for c in council_health()["councils"]}
    for council, ids in ((whole, None), (scoped, [north.pk])):
        since = timezone.make_aware(dt.datetime.combine(council.started_on, dt.time.min))
        assert report[council.pk] == dict(signal_stats(neighbourhood_ids=ids, since=since))
    assert report[whole.pk]["raised"] == 3 and report[scoped.pk]["raised"] == 1
