"""Property-based: whatever the grants, the live stream carries the granted districts' crises only.

Each example draws grants (a district or a whole unit, summary or contacts, live, expired, not
yet valid or revoked) for a fresh analyst, opens ``/ws/national/`` through the full ASGI
application, declares a crisis in every municipality of four districts in two units, and checks
that:

- the socket opens exactly when a live grant exists (else 4403), and its hello lists exactly
  the districts a live grant covers, at the highest level;
- the frames that arrive are exactly the crises of those districts, each at its district's
  level: no frame of a district nobody granted, expired and not-yet-valid grants see nothing;
- a ``summary`` frame never carries a name (of who declared, or the crisis's free-text title).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.conf import settings as django_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agora.national.actions import do_grant_national_access, do_revoke_national_grant
from tests.conftest import ensure_test_municipality
from tests.realtime import national_cast as cast

pytestmark = pytest.mark.django_db(transaction=True, available_apps=list(django_settings.INSTALLED_APPS))

SLUGS = ("utrecht", "amersfoort", "zeist", "arnhem")
STATES = ("live", "expired", "future", "revoked")

grant_strategy = st.fixed_dictionaries(
    {
        "target": st.one_of(
            st.tuples(st.just("district"), st.sampled_from(SLUGS)),
            st.tuples(st.just("unit"), st.sampled_from(SLUGS)),
        ),
        "level": st.sampled_from(("summary", "contacts")),
        "state": st.sampled_from(STATES),
    }
)


@pytest.fixture
def country(people):
    towns = {slug: cast.build_town(people, ensure_test_municipality(slug)) for slug in SLUGS}
    yield towns
    cast.remove(list(towns.values()))


def _make_grants(towns, user, operator, grants) -> dict[int, str]:
    now = timezone.now()
    periods = {
        "live": (now - dt.timedelta(days=1), now + dt.timedelta(days=1)),
        "revoked": (now - dt.timedelta(days=1), now + dt.timedelta(days=1)),
        "expired": (now - dt.timedelta(days=5), now - dt.timedelta(seconds=5)),
        "future": (now + dt.timedelta(minutes=5), now + dt.timedelta(days=5)),
    }
    expected: dict[int, str] = {}
    for drawn in grants:
        kind, slug = drawn["target"]
        district = towns[slug].district
        scope = {"district": district} if kind == "district" else {"unit": district.unit}
        valid_from, valid_until = periods[drawn["state"]]
        grant = do_grant_national_access(
            user,
            level=drawn["level"],
            purpose="live property test",
            valid_from=valid_from,
            valid_until=valid_until,
            acting_user=operator,
            **scope,
        )
        if drawn["state"] == "revoked":
            do_revoke_national_grant(grant.pk, acting_user=operator)
        if drawn["state"] != "live":
            continue
        covered = [district] if kind == "district" else list(district.unit.districts.all())
        for each in covered:
            if expected.get(each.pk) != "contacts":
                expected[each.pk] = drawn["level"]
    return expected


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(grants=st.lists(grant_strategy, max_size=4))
def test_the_live_stream_stays_within_the_grants(country, grants) -> None:
    operator = cast.operator()
    user = cast.analyst()
    expected = _make_grants(country, user, operator, grants)
    session = cast.public_cookie(user)
    secrets = set().union(*(town.secrets for town in country.values()))

    async def run() -> None:
        socket = cast.national_socket(session)
        connected, code = await socket.connect(timeout=5)
        if not expected:
            assert (connected, code) == (False, 4403)
            return
        assert connected, code
        hello = await socket.receive_json_from(timeout=5)
        assert {d["id"]: d["level"] for d in hello["districts"]} == expected
        declared = {}
        for town in country.values():
            crisis_id = await sync_to_async(cast.declare)(town)
            declared[(town.municipality.pk, crisis_id)] = town  # crisis ids are per schema
        frames = []
        while not await socket.receive_nothing(timeout=0.5, interval=0.02):
            frames.append(await socket.receive_json_from(timeout=5))
        await socket.disconnect()
        assert all(f["type"] == "crisis" and f["change"] == "declared" for f in frames), frames
        wanted = {key for key, town in declared.items() if town.district.pk in expected}
        got = [(f["municipality"]["id"], f["crisis"]["id"]) for f in frames]
        assert sorted(got) == sorted(wanted)
        for frame, key in zip(frames, got, strict=True):
            assert frame["district_id"] in expected
            assert frame["district_id"] == declared[key].district.pk
            if expected[frame["district_id"]] == "summary":
                body = json.dumps(frame)
                assert not [s for s in secrets if s in body], frame
                assert "declared_by" not in frame and "title" not in frame["crisis"]
            else:
                assert frame["declared_by"] == declared[key].official.display_name

    async_to_sync(run)()
