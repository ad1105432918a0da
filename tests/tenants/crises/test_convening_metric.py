"""The time from declaration to quorum goes into agora_crisis_convening_seconds once, after the commit."""

from __future__ import annotations

import datetime as dt

from prometheus_client import REGISTRY

from tenants.crises import actions

T0 = dt.datetime(2026, 3, 14, 2, 0, tzinfo=dt.UTC)


def convening(kind: str) -> tuple[float, float]:
    labels = {"kind": kind}
    count = REGISTRY.get_sample_value("agora_crisis_convening_seconds_count", labels) or 0.0
    total = REGISTRY.get_sample_value("agora_crisis_convening_seconds_sum", labels) or 0.0
    return count, total


def test_the_quorum_moment_is_observed_once_after_the_commit(
    room, django_capture_on_commit_callbacks
) -> None:
    crisis = actions.do_declare_crisis(
        title="Onrust", kind="unrest", council_ids=[room.council.pk], acting_user=room.staff.official, now=T0
    )
    count, total = convening("crisis")
    answers = [
        (room.staff.official, "coming", 2),
        (room.staff.police, "remote", 4),
        (room.ally_users[0], "coming", 5),
        (room.ally_users[1], "coming", 7),  # the quorum
        (room.ally_users[1], "unable", 9),  # a changed answer does not convene again
    ]
    for user, answer, minutes in answers:
        with django_capture_on_commit_callbacks(execute=True):
            actions.do_respond(
                crisis.pk,
                answer=answer,
                eta_minutes=10,
                acting_user=user,
                now=T0 + dt.timedelta(minutes=minutes),
            )
    assert convening("crisis") == (count + 1, total + 7 * 60)


def test_a_rolled_back_quorum_is_not_observed(room, django_capture_on_commit_callbacks) -> None:
    crisis = actions.do_declare_crisis(
        title="Onrust", kind="unrest", council_ids=[room.council.pk], acting_user=room.staff.official, now=T0
    )
    count, _ = convening("crisis")
    with django_capture_on_commit_callbacks(execute=False):  # the callbacks never run: no commit
        for user in (room.staff.official, room.staff.police, room.ally_users[0], room.ally_users[1]):
            actions.do_respond(crisis.pk, answer="coming", eta_minutes=5, acting_user=user, now=T0)
    crisis.refresh_from_db()
    assert crisis.quorum_at is not None
    assert convening("crisis")[0] == count
