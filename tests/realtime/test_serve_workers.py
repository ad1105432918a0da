"""``agora serve --workers 2`` as production runs it: one supervisor, two daphne workers on one
socket, the real PostgreSQL and Redis, real HTTP and ``websockets`` clients.

One server for the module (its tests run on one xdist worker, in this order; the last one stops
it). Which worker answered is read from the process table (the worker holding the connection's
other end), never from a response header. ``--workers 2`` without ``REDIS_URL`` is refused in
tests/platform/test_cli.py.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from prometheus_client.parser import text_string_to_metric_families

from tests.realtime import crisis_cast
from tests.realtime.crisis_cast import cookie
from tests.realtime.test_crisis_daphne import ROOT, free_port, room, server_env
from tests.services import require_redis

psutil = pytest.importorskip("psutil")
pytest.importorskip("websockets")

# Only the crisis-room test writes (committed rows the workers read); the others need no
# database access of their own, and so no flush after them.
pytestmark = pytest.mark.slow
METRICS_TOKEN = "metrics-token-of-the-workers-test"
WORKERS = 2


@dataclass
class Served:
    port: int
    process: subprocess.Popen  # the supervisor
    stdout: Path
    stderr: Path

    def workers(self) -> set[int]:
        return {child.pid for child in psutil.Process(self.process.pid).children()}

    def log(self) -> str:
        return f"stdout:\n{self.stdout.read_text()[-2000:]}\nstderr:\n{self.stderr.read_text()[-4000:]}"


def _wait_for_text(output: Path, text: str, timeout: float = 90) -> str:
    """The first line of ``output`` (the server's stdout or stderr) holding ``text``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in output.read_text().splitlines():
            if text in line:
                return line
        time.sleep(0.1)
    raise AssertionError(f"no {text!r} in {output.name}: {output.read_text()[-4000:]}")


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("serve-workers")
    with django_db_blocker.unblock():
        env = server_env(require_redis())
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)  # the supervisor makes its own
    env.update(AGORA_METRICS_TOKEN=METRICS_TOKEN, AGORA_ESCALATION_INTERVAL="0", AGORA_LOG_FORMAT="text")
    port = free_port()
    stdout, stderr = folder / "stdout.log", folder / "stderr.log"
    with stdout.open("w") as out, stderr.open("w") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "agora.cli", "serve", "--workers", str(WORKERS), "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=err,
        )
    served = Served(port, process, stdout, stderr)
    try:
        _wait_for_text(stdout, "Serving on")
        yield served
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


def _worker_holding(server: Served, local_port: int) -> int:
    """The worker whose end of the connection from ``local_port`` is open."""
    for pid in server.workers():
        for conn in psutil.Process(pid).net_connections(kind="tcp"):
            if conn.raddr and conn.raddr.port == local_port and conn.laddr.port == server.port:
                return pid
    raise AssertionError(f"no worker holds the connection from port {local_port}")


def served_by(
    server: Served, path: str = "/healthz", headers: dict[str, str] | None = None
) -> tuple[int, int, bytes]:
    """One request on a new connection: (status, the worker that answered, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request("GET", path, headers={"Host": "localhost", **(headers or {})})
        response = conn.getresponse()
        body = response.read()
        # HTTP/1.1 keeps the connection open after the answer: its other end is the worker's.
        return response.status, _worker_holding(server, conn.sock.getsockname()[1]), body
    finally:
        conn.close()


def metric(server: Served, name: str, **labels: str) -> float:
    """A sample as /metrics reports it (every worker's sum), 0 when it has none yet."""
    status, _, body = served_by(server, "/metrics", {"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert status == 200, body
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            if sample.name == name and labels.items() <= sample.labels.items():
                return sample.value
    return 0.0


def healthz_count(server: Served) -> float:
    return metric(server, "agora_http_requests_total", route="/healthz")


def test_requests_are_served_by_both_workers_and_metrics_add_them_up(server) -> None:
    workers = server.workers()
    assert len(workers) == WORKERS, server.log()
    before = healthz_count(server)
    answered: dict[int, int] = {}
    for _ in range(200):
        status, pid, _ = served_by(server)
        assert status == 200
        answered[pid] = answered.get(pid, 0) + 1
        if len(answered) == WORKERS and sum(answered.values()) >= 20:
            break
    assert set(answered) == workers, answered
    # /metrics of whichever worker answered it counts the requests of both.
    assert healthz_count(server) - before == sum(answered.values())


@pytest.mark.django_db(transaction=True, available_apps=list(settings.INSTALLED_APPS))
async def test_a_post_through_one_worker_reaches_a_client_on_the_other(server, towns, people) -> None:
    cast = await sync_to_async(crisis_cast.build)(people, towns["utrecht"])
    try:
        official = await sync_to_async(cookie)(cast.official)
        ally = await sync_to_async(cookie)(cast.ally_users[0])
        async with contextlib.AsyncExitStack() as sockets:
            writer = await sockets.enter_async_context(room(server.port, cast.crisis_id, official))
            writer_pid = _worker_holding(server, writer.ws.local_address[1])
            readers = 0  # the kernel picks the worker: connect until the other one has a reader
            while True:
                reader = await sockets.enter_async_context(room(server.port, cast.crisis_id, ally))
                readers += 1
                if _worker_holding(server, reader.ws.local_address[1]) != writer_pid:
                    break
                assert readers < 40, "40 sockets in a row landed on the writer's worker"
            # The open-socket gauge of /metrics counts both workers' sockets.
            open_sockets = await sync_to_async(metric)(
                server, "agora_websocket_open_sockets", tenant="gm_utrecht", kind="crisis"
            )
            assert open_sockets == 1 + readers
            there = await writer.post("Via de ene worker")
            got = await reader.until(lambda f: f["type"] == "event" and f["seq"] == there["seq"])
            assert got[-1]["data"]["body"] == "Via de ene worker"
            back = await reader.post("En terug via de andere")
            got = await writer.until(lambda f: f["type"] == "event" and f["seq"] == back["seq"])
            assert got[-1]["data"]["body"] == "En terug via de andere"
            # The reader's worker killed: it cannot drop its own live gauge, the supervisor does.
            reader_pid = _worker_holding(server, reader.ws.local_address[1])
            os.kill(reader_pid, signal.SIGKILL)
            await sync_to_async(_wait_for_text)(server.stderr, f"(pid {reader_pid}) died")
            open_sockets = await sync_to_async(metric)(
                server, "agora_websocket_open_sockets", tenant="gm_utrecht", kind="crisis"
            )
            assert open_sockets == readers  # the writer, and the readers that shared its worker
            await sync_to_async(_wait_for_text)(server.stderr, "serving again")  # for the next tests
    finally:
        await sync_to_async(crisis_cast.remove)(towns["utrecht"], cast)


def test_a_killed_worker_is_restarted_and_no_request_fails_meanwhile(server) -> None:
    """SIGKILL between two requests: every request after it is answered, by the survivor until
    the replacement serves. (A request the killed worker had already accepted would be lost with
    it: its client sees the connection reset; one still in the kernel's queue is not, any worker
    takes it.)"""
    before = server.workers()
    victim, survivor = sorted(before)
    os.kill(victim, signal.SIGKILL)
    answers: list[tuple[int, int]] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status, pid, _ = served_by(server)
        answers.append((status, pid))
        if pid not in before:
            break
    replacement = answers[-1][1]
    assert replacement not in before, f"no restarted worker answered in 60 s: {server.log()}"
    assert all(status == 200 for status, _ in answers), answers
    assert {pid for _, pid in answers[:-1]} <= {survivor}
    assert server.workers() == {survivor, replacement}
    assert f"(pid {victim}) died (killed by SIGKILL); restarting it in" in server.stderr.read_text()


def test_sigterm_stops_every_process_with_exit_0(server) -> None:
    workers = server.workers()
    assert len(workers) == WORKERS
    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(60) == 0, server.log()
    assert server.stdout.read_text().splitlines()[-1] == "Stopped."
    assert not [pid for pid in workers if psutil.pid_exists(pid)], "orphaned workers"
    with pytest.raises(ConnectionRefusedError):
        served_by(server)
