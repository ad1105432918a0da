"""The escalation runner: a thread on a controlled clock, several runners at once, the advisory lock.

The runners work on their own threads and database connections, so the data is committed
(``transaction=True``) and removed again at the end. The clock is the test's: the crisis is
declared at T0 (long ago), and the runner sees only the time the test gives it.
"""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from django.conf import settings
from django.db import connection, connections, transaction
from django_tenants.utils import tenant_context

from agora.database import url_of
from tenants.crises import actions
from tenants.crises.escalation import (
    LOCK_NAMESPACE,
    EscalationRunner,
    escalate_everywhere,
    start_runner_if_enabled,
)
from tenants.crises.models import Convocation, Crisis, CrisisEvent, RoomVisit

pytestmark = pytest.mark.django_db(transaction=True, available_apps=list(settings.INSTALLED_APPS))

T0 = dt.datetime(2026, 3, 14, 2, 0, tzinfo=dt.UTC)


class Clock:
    """The runner's "now", moved by the test."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def declared(room, sms_file, in_utrecht):
    """A crisis declared at T0; the police lead answered at once, the municipal lead never."""
    room.staff.m_official2.mobile = "+31687654321"
    room.staff.m_official2.save()
    crisis = actions.do_declare_crisis(
        title="Rellen", kind="unrest", council_ids=[room.council.pk], acting_user=room.staff.official, now=T0
    )
    actions.do_respond(crisis.pk, answer="coming", acting_user=room.staff.police, now=T0)
    sms_file.write_text("")
    yield crisis
    with tenant_context(in_utrecht):
        RoomVisit.objects.all().delete()
        CrisisEvent.objects.all().delete()
        Convocation.objects.all().delete()
        Crisis.objects.all().delete()
        room.council.members.all().delete()
        room.council.delete()
        for key_figure in room.allies:
            key_figure.delete()
    connection.set_schema_to_public()


def escalations(crisis: Crisis, municipality) -> list[CrisisEvent]:
    with tenant_context(municipality):
        return list(CrisisEvent.objects.filter(crisis=crisis, kind="rollcall.escalated"))


def sms_to(sms_file) -> list[str]:
    return [json.loads(line)["to"] for line in sms_file.read_text().splitlines()]


def test_the_runner_escalates_when_its_clock_says_so_and_only_once(declared, sms_file, in_utrecht) -> None:
    clock = Clock(T0 + dt.timedelta(minutes=9, seconds=59))
    runner = EscalationRunner(interval=0.01, clock=clock).start()
    try:
        assert runner.wait_for_passes(3)
        # The wall clock is months past T0; the runner's clock is not: nobody is escalated yet.
        assert escalations(declared, in_utrecht) == []
        seen = runner.passes
        clock.now = T0 + dt.timedelta(minutes=10)
        assert runner.wait_for_passes(seen + 3)
        (event,) = escalations(declared, in_utrecht)
        assert event.payload["side"] == "municipal"
        assert sms_to(sms_file) == ["+31687654321"]  # the deputy, called again
        clock.now = T0 + dt.timedelta(hours=2)
        assert runner.wait_for_passes(runner.passes + 3)
        assert len(escalations(declared, in_utrecht)) == 1 and runner.escalated == 1
    finally:
        runner.stop()
    with tenant_context(in_utrecht):
        lead = Convocation.objects.get(crisis=declared, membership=room_lead(declared))
        assert lead.escalated_at == T0 + dt.timedelta(minutes=10)


def room_lead(crisis: Crisis) -> int:
    return Convocation.objects.get(crisis=crisis, side="municipal", position="lead").membership_id


def test_several_runners_at_once_escalate_a_lead_once(declared, sms_file, in_utrecht) -> None:
    clock = Clock(T0 + dt.timedelta(minutes=15))
    runners = [EscalationRunner(interval=0.001, clock=clock, name=f"escalation-{n}") for n in range(4)]
    for runner in runners:
        runner.start()
    try:
        for runner in runners:
            assert runner.wait_for_passes(5)
    finally:
        for runner in runners:
            runner.stop()
    assert len(escalations(declared, in_utrecht)) == 1
    assert sum(runner.escalated for runner in runners) == 1
    assert sms_to(sms_file) == ["+31687654321"]


def test_a_municipality_whose_lock_another_runner_holds_is_skipped_this_round(declared, in_utrecht) -> None:
    now = T0 + dt.timedelta(minutes=11)
    results = []

    def other_process() -> None:
        try:
            results.append(escalate_everywhere(now))
        finally:
            connections.close_all()

    connection.set_schema_to_public()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s), hashtext(%s))",
            [LOCK_NAMESPACE, in_utrecht.schema_name],
        )
        thread = threading.Thread(target=other_process)
        thread.start()
        thread.join(30)
    (busy,) = results
    assert in_utrecht.schema_name in busy.skipped and busy.escalated == 0
    assert escalations(declared, in_utrecht) == []
    # The lock is released with the transaction: the next round does the work.
    done = escalate_everywhere(now)
    assert done.escalated == 1 and in_utrecht.schema_name not in done.skipped
    assert len(escalations(declared, in_utrecht)) == 1


def test_a_failing_round_does_not_end_the_runner(monkeypatch, declared, in_utrecht) -> None:
    from tenants.crises import escalation

    calls = {"n": 0}
    real = escalation.escalate_everywhere

    def flaky(now):
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionError("database briefly away")
        return real(now)

    monkeypatch.setattr(escalation, "escalate_everywhere", flaky)
    runner = EscalationRunner(interval=0.01, clock=Clock(T0 + dt.timedelta(minutes=10))).start()
    try:
        assert runner.wait_for_passes(3)
    finally:
        runner.stop()
    assert calls["n"] >= 3 and runner.escalated == 1
    assert len(escalations(declared, in_utrecht)) == 1


def test_the_served_process_runs_a_runner_unless_turned_off(settings) -> None:
    settings.AGORA_ESCALATION_INTERVAL = 0
    assert start_runner_if_enabled() is None
    settings.AGORA_ESCALATION_INTERVAL = 3600
    runner = start_runner_if_enabled()
    try:
        assert isinstance(runner, EscalationRunner) and runner.wait_for_passes(1)
    finally:
        runner.stop()


@pytest.mark.slow
def test_two_served_processes_escalate_a_late_lead_once(room, sms_file, in_utrecht, tmp_path) -> None:
    """``agora serve`` runs the runner itself: two of them, on the real clock, escalate once.

    The crisis is declared eleven minutes in the past (the clock moved by the data), so the
    first round of either process is due; the test waits for the escalation, not for a time.
    """
    import os
    import signal
    import subprocess
    import time

    from django.utils import timezone

    from tests.platform.test_demo_boot import ROOT, agora_command, free_port

    room.staff.m_official2.mobile = "+31687654321"
    room.staff.m_official2.save()
    declared_at = timezone.now() - dt.timedelta(minutes=11)
    crisis = actions.do_declare_crisis(
        title="Laat",
        kind="unrest",
        council_ids=[room.council.pk],
        acting_user=room.staff.official,
        now=declared_at,
    )
    actions.do_respond(crisis.pk, answer="coming", acting_user=room.staff.police)
    sms_file.write_text("")  # the convening calls; from here only the escalation's
    connection.set_schema_to_public()
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": url_of(db),
        "REDIS_URL": "",
        "SECRET_KEY": settings.SECRET_KEY,
        "AGORA_ESCALATION_INTERVAL": "0.2",
        "AGORA_SMS_BACKEND": "file",
        "AGORA_SMS_FILE": str(sms_file),
        "PYTHONPATH": os.pathsep.join([str(ROOT / "platform"), str(ROOT)]),
    }
    servers = []
    try:
        for n in range(2):
            log = (tmp_path / f"serve-{n}.log").open("w")
            servers.append(
                subprocess.Popen(
                    [*agora_command(), "serve", "--port", str(free_port())],
                    cwd=tmp_path,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not escalations(crisis, in_utrecht):
            assert all(s.poll() is None for s in servers), [
                p.read_text() for p in tmp_path.glob("serve-*.log")
            ]
            time.sleep(0.2)
        assert len(escalations(crisis, in_utrecht)) == 1
        # Several more rounds of both processes (0.2 s apart): still one.
        time.sleep(2)
        assert len(escalations(crisis, in_utrecht)) == 1
        assert sms_to(sms_file).count("+31687654321") == 1
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
        for server in servers:
            assert server.wait(60) == 0
        with tenant_context(in_utrecht):
            RoomVisit.objects.all().delete()
            CrisisEvent.objects.all().delete()
            Convocation.objects.all().delete()
            Crisis.objects.all().delete()
            room.council.members.all().delete()
            room.council.delete()
            for key_figure in room.allies:
                key_figure.delete()
        connection.set_schema_to_public()
