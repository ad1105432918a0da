"""``/ws/national/`` through the full ASGI application (origin check, host, session, routing).

The live stream of the national view (issue 11 point 4): crisis status changes of the granted
districts only, names only under ``contacts`` (and then in the access log), and a stream that
narrows or closes the moment a grant is revoked, changed or expires: by the notice the grant
action sends after its commit, by the timer at the grant's end, and by the check before every
delivery when both were lost.
"""

from __future__ import annotations

import json

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.utils import timezone

from agora.audit.models import PersonRecordRead
from agora.municipalities.provisioning import host_for
from agora.national.actions import do_change_national_grant, do_revoke_national_grant
from agora.national.models import NationalGrant
from tests.realtime import national_cast as cast
from tests.realtime.national_cast import national_socket, public_cookie

pytestmark = pytest.mark.django_db(transaction=True, available_apps=list(settings.INSTALLED_APPS))


@pytest.fixture
def land(towns, people, channel_layer):
    """Utrecht (district Utrecht-Stad) and Amersfoort (Eemland), each able to declare a crisis."""
    built = {slug: cast.build_town(people, town) for slug, town in towns.items()}
    yield built
    cast.remove(list(built.values()))


async def open_stream(user, **kwargs):
    socket = national_socket(await sync_to_async(public_cookie)(user), **kwargs)
    connected, code = await socket.connect(timeout=5)
    assert connected, code
    hello = await socket.receive_json_from(timeout=5)
    assert hello["type"] == "hello"
    return socket, hello


async def refused(socket) -> int | None:
    connected, code = await socket.connect(timeout=5)
    assert not connected
    return code


async def frames_until_quiet(socket, quiet: float = 0.4) -> list[dict]:
    """Every frame until the socket is quiet for ``quiet`` seconds (a timed-out receive would
    cancel the application, so ask ``receive_nothing`` first)."""
    frames = []
    while not await socket.receive_nothing(timeout=quiet, interval=0.02):
        frames.append(await socket.receive_json_from(timeout=5))
    return frames


async def test_summary_stream_carries_the_granted_district_only_and_no_name(land) -> None:
    utrecht, amersfoort = land["utrecht"], land["amersfoort"]
    operator = await sync_to_async(cast.operator)()
    user = await sync_to_async(cast.analyst)()
    await sync_to_async(cast.grant)(user, operator, district=utrecht.district)
    socket, hello = await open_stream(user)
    assert [d["id"] for d in hello["districts"]] == [utrecht.municipality.district_id]
    assert hello["districts"][0]["level"] == "summary"
    assert hello["open_crises"] == []

    crisis_id = await sync_to_async(cast.declare)(utrecht)
    await sync_to_async(cast.declare)(amersfoort)  # another district: never on this stream
    frame = await socket.receive_json_from(timeout=5)
    assert frame["change"] == "declared"
    assert frame["crisis"]["id"] == crisis_id
    assert frame["district_id"] == utrecht.municipality.district_id
    assert frame["municipality"] == {"id": utrecht.municipality.pk, "name": utrecht.municipality.name}
    assert "title" not in frame["crisis"] and "declared_by" not in frame
    await sync_to_async(cast.reach_quorum)(utrecht, crisis_id)
    await sync_to_async(cast.close)(utrecht, crisis_id)
    rest = await frames_until_quiet(socket)
    assert [f["change"] for f in rest] == ["quorum_reached", "closed"]
    assert rest[0]["crisis"]["quorum_reached"] is True and rest[1]["crisis"]["status"] == "closed"
    body = json.dumps([frame, *rest])
    for secret in utrecht.secrets | amersfoort.secrets:
        assert secret not in body
    await socket.disconnect()


async def test_contacts_stream_names_the_declarer_and_logs_the_read(land) -> None:
    utrecht = land["utrecht"]
    operator = await sync_to_async(cast.operator)()
    user = await sync_to_async(cast.analyst)()
    await sync_to_async(cast.grant)(user, operator, district=utrecht.district, level="contacts")
    socket, _hello = await open_stream(user)
    crisis_id = await sync_to_async(cast.declare)(utrecht, "Rellen Kanaleneiland")
    frame = await socket.receive_json_from(timeout=5)
    assert frame["crisis"]["title"] == "Rellen Kanaleneiland"
    assert frame["declared_by"] == utrecht.official.display_name
    reads = await sync_to_async(list)(
        PersonRecordRead.objects.filter(actor=user, purpose="national view: live stream").values_list(
            "record_type", "municipality_id"
        )
    )
    assert reads == [("accounts.Membership", utrecht.municipality.pk)]
    # The hello of a later socket lists the open crisis: what a reconnecting client resumes from.
    again, hello = await open_stream(user)
    assert [c["id"] for c in hello["open_crises"]] == [crisis_id]
    assert hello["open_crises"][0]["rollcall"]["convened"] == 2
    await again.disconnect()
    await socket.disconnect()


async def test_revoking_narrows_then_closes_the_stream(land) -> None:
    utrecht, amersfoort = land["utrecht"], land["amersfoort"]
    operator = await sync_to_async(cast.operator)()
    user = await sync_to_async(cast.analyst)()
    first = await sync_to_async(cast.grant)(user, operator, district=utrecht.district)
    second = await sync_to_async(cast.grant)(user, operator, district=amersfoort.district)
    socket, hello = await open_stream(user)
    assert len(hello["districts"]) == 2

    await sync_to_async(do_revoke_national_grant)(first.pk, acting_user=operator)
    scope = await socket.receive_json_from(timeout=5)
    assert scope["type"] == "scope"
    assert [d["id"] for d in scope["districts"]] == [amersfoort.municipality.district_id]
    await sync_to_async(cast.declare)(utrecht)
    await sync_to_async(cast.declare)(amersfoort)
    frames = await frames_until_quiet(socket)
    assert [f["district_id"] for f in frames] == [amersfoort.municipality.district_id]

    await sync_to_async(do_revoke_national_grant)(second.pk, acting_user=operator)
    assert (await socket.receive_output(timeout=5)) == {"type": "websocket.close", "code": 4403}


async def test_lowering_the_level_stops_the_names_at_once(land) -> None:
    utrecht = land["utrecht"]
    operator = await sync_to_async(cast.operator)()
    user = await sync_to_async(cast.analyst)()
    granted = await sync_to_async(cast.grant)(user, operator, district=utrecht.district, level="contacts")
    socket, _ = await open_stream(user)
    await sync_to_async(do_change_national_grant)(granted.pk, level="summary", acting_user=operator)
    scope = await socket.receive_json_from(timeout=5)
    assert scope["districts"][0]["level"] == "summary"
    await sync_to_async(cast.declare)(utrecht)
    frames = await frames_until_quiet(socket)
    assert len(frames) == 1 and "declared_by" not in frames[0] and "title" not in frames[0]["crisis"]
    await socket.disconnect()


async def test_an_expiring_grant_closes_the_stream_by_its_timer(land) -> None:
    utrecht = land["utrecht"]
    operator = await sync_to_async(cast.operator)()
    user = await sync_to_async(cast.analyst)()
    await sync_to_async(cast.grant)(user, operator, district=utrecht.district, seconds=1.5)
    socket, _ = await open_stream(user)
    started = timezone.now()
    assert (await socket.receive_output(timeout=6)) == {"type": "websocket.close", "code": 4403}
    assert (timezone.now() - started).total_seconds() < 4


async def test_a_grant_that_starts_later_widens_the_stream_then(land) -> None:
    utrecht, amersfoort = land["utrecht"], land["amersfoort"]
    operator = await sync_to_async(cast.operator)()
    user = await sync_to_async(cast.analyst)()
    await sync_to_async(cast.grant)(user, operator, district=utrecht.district)
    later = await sync_to_async(cast.grant)(user, operator, district=amersfoort.district, start=1.0)
    socket, hello = await open_stream(user)
    assert len(hello["districts"]) == 1
    NationalGrant.objects.filter(pk=later.pk)  # (a queryset: no notice; the timer must do it)
    scope = await socket.receive_json_from(timeout=5)
    assert scope["type"] == "scope" and len(scope["districts"]) == 2
    await socket.disconnect()


async def test_every_delivery_rechecks_the_grants(land) -> None:
    """A grant ended behind the socket's back (no notice, no timer): the next frame is not sent."""
    utrecht = land["utrecht"]
    operator = await sync_to_async(cast.operator)()
    user = await sync_to_async(cast.analyst)()
    granted = await sync_to_async(cast.grant)(user, operator, district=utrecht.district)
    socket, _ = await open_stream(user)
    ended = timezone.now() - timezone.timedelta(seconds=1)
    await sync_to_async(NationalGrant.objects.filter(pk=granted.pk).update)(
        valid_from=ended - timezone.timedelta(days=1), valid_until=ended
    )
    await sync_to_async(cast.declare)(utrecht)
    assert (await socket.receive_output(timeout=5)) == {"type": "websocket.close", "code": 4403}


async def test_who_may_open_the_stream(land, people) -> None:
    utrecht = land["utrecht"]
    operator = await sync_to_async(cast.operator)()
    user = await sync_to_async(cast.analyst)()
    await sync_to_async(cast.grant)(user, operator, district=utrecht.district)
    session = await sync_to_async(public_cookie)(user)
    base = settings.AGORA_BASE_DOMAIN
    assert await refused(national_socket(None)) == 4401
    nobody = await sync_to_async(cast.analyst)()  # an analyst without a grant
    assert await refused(national_socket(await sync_to_async(public_cookie)(nobody))) == 4403
    official = await sync_to_async(public_cookie)(utrecht.official)  # staff, no analyst
    assert await refused(national_socket(official)) == 4403
    expired = await sync_to_async(cast.analyst)()
    await sync_to_async(cast.grant)(expired, operator, district=utrecht.district, start=-90, seconds=-30)
    assert await refused(national_socket(await sync_to_async(public_cookie)(expired))) == 4403
    future = await sync_to_async(cast.analyst)()
    await sync_to_async(cast.grant)(future, operator, district=utrecht.district, start=60)
    assert await refused(national_socket(await sync_to_async(public_cookie)(future))) == 4403
    # A municipality's host has no national stream (and its Origin is its own host there).
    assert await refused(national_socket(session, host=host_for("utrecht"))) == 4404
    # The Origin must be the public host itself, scheme and port included.
    for origin in (f"https://{base}", f"http://{host_for('utrecht')}", f"http://{base}:8443", "null"):
        # Denied before routing (the same session and grant connect with the right Origin below).
        assert await refused(national_socket(session, origin=origin)) == 1000, origin
    socket, _ = await open_stream(user)
    await socket.disconnect()


async def test_frame_limits_and_logout(land, settings) -> None:
    settings.AGORA_ROOM_MAX_FRAME = 1024
    utrecht = land["utrecht"]
    operator = await sync_to_async(cast.operator)()
    user = await sync_to_async(cast.analyst)()
    await sync_to_async(cast.grant)(user, operator, district=utrecht.district)
    socket, _ = await open_stream(user)
    await socket.send_to(text_data="x" * 2000)
    assert (await socket.receive_json_from(timeout=5))["code"] == "too_large"
    await socket.send_to(text_data="{not json")
    assert (await socket.receive_json_from(timeout=5))["code"] == "not_json"
    # Deep nesting is refused as in the crisis room (it once reached json.loads' RecursionError).
    await socket.send_to(text_data="[" * 400 + "]" * 400)
    assert (await socket.receive_json_from(timeout=5))["code"] == "json_too_deep"
    await socket.send_to(text_data=json.dumps({"type": "post", "body": "hallo"}))
    assert (await socket.receive_json_from(timeout=5)) == {
        "type": "error",
        "code": "unknown_type",
        "ref": "post",
    }
    await socket.send_json_to({"type": "ping"})
    assert (await socket.receive_json_from(timeout=5)) == {"type": "pong"}
    await socket.send_json_to({"type": "snapshot"})
    assert (await socket.receive_json_from(timeout=5)) == {"type": "snapshot", "open_crises": []}

    from django.contrib.auth.signals import user_logged_out

    await sync_to_async(user_logged_out.send)(sender=type(user), request=None, user=user)
    assert (await socket.receive_output(timeout=5)) == {"type": "websocket.close", "code": 4401}
