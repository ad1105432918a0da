"""The crisis room over real daphne processes on loopback ports, with the ``websockets`` client.

- one daphne (in-memory layer): post, ack and delivery; resume after 50 missed events; frames over
  64 KB and non-JSON refused with the socket still usable;
- two daphne processes on one Redis (channels-redis): a post on one reaches a client on the other;
- Redis stopped and restarted mid-test (a ``redis-server`` of the test's own on a free port, never
  the shared one): posts are still stored and acknowledged while it is down, the server recovers
  without a restart, and clients catch up.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection

from agora.database import url_of
from tests.ports import free_port
from tests.realtime.crisis_cast import cookie
from tests.services import IN_CI

websockets = pytest.importorskip("websockets")

pytestmark = [
    pytest.mark.django_db(transaction=True, available_apps=list(settings.INSTALLED_APPS)),
    pytest.mark.slow,
]
ROOT = Path(__file__).resolve().parents[2]


def wait_for_port(port: int, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"process exited: {log.read_text()[-3000:]}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.1)
    raise AssertionError(f"port {port} never opened: {log.read_text()[-3000:]}")


def server_env(redis_url: str = "") -> dict[str, str]:
    """The environment of a server process on the test database (committed data only)."""
    db = connection.settings_dict
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "agora.settings",
        "DATABASE_URL": url_of(db),
        "REDIS_URL": redis_url,
        "SECRET_KEY": settings.SECRET_KEY,
        # One writer posts 50 messages in a second here; the rate limit has its own test.
        "AGORA_ROOM_RATE_BURST": "500",
        "PYTHONPATH": f"{ROOT / 'platform'}{os.pathsep}{ROOT}",
    }


class Processes:
    """The processes a test starts, stopped (by their own handles) when it ends."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.running: list[subprocess.Popen] = []

    def daphne(self, redis_url: str = "", **overrides: str) -> int:
        """A daphne process on ``redis_url`` (none: the in-memory layer); ``overrides`` of its environment."""
        port = free_port()
        env = {**server_env(redis_url), **overrides}
        log = self.tmp / f"daphne-{port}.log"
        process = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "agora.asgi:application"],
            cwd=ROOT,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        self.running.append(process)
        wait_for_port(port, process, log)
        return port

    def redis(
        self, port: int | None = None, *args: str, binary: str = "redis-server"
    ) -> tuple[int, subprocess.Popen]:
        """A ``redis-server`` (or ``binary``) of the test's own; ``args`` after the port's."""
        path = shutil.which(binary)
        if path is None:
            if IN_CI:
                pytest.fail(f"{binary} is not installed under CI=true")
            pytest.skip(f"{binary} not installed")
        port = port or free_port()
        log = self.tmp / f"{binary}-{port}-{len(self.running)}.log"
        process = subprocess.Popen(
            [path, *args, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.tmp,  # where a replica's (and its primary's) sync writes its dump.rdb
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        self.running.append(process)
        wait_for_port(port, process, log)
        return port, process

    @staticmethod
    def stop(process: subprocess.Popen) -> None:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)

    def stop_all(self) -> None:
        for process in reversed(self.running):
            self.stop(process)


class Client:
    """A ``websockets`` client in the room: frames in order, presence nudges set aside."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.seqs: list[int] = []  # of every event frame read, in the order they came

    async def send(self, frame: dict | str) -> None:
        await self.ws.send(frame if isinstance(frame, str) else json.dumps(frame))

    async def next(self, timeout: float = 10) -> dict:
        while True:
            frame = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
            if frame["type"] == "event":
                self.seqs.append(frame["seq"])
            if frame["type"] != "presence":
                return frame

    async def until(self, stop, timeout: float = 10) -> list[dict]:
        got = []
        while True:
            got.append(await self.next(timeout))
            assert got[-1]["type"] != "error" or stop(got[-1]), got[-1]
            if stop(got[-1]):
                return got

    async def post(self, body: str) -> dict:
        msg = str(uuid.uuid4())
        await self.send({"type": "post", "client_msg_id": msg, "body": body})
        return (await self.until(lambda f: f["type"] == "ack" and f["client_msg_id"] == msg))[-1]


@contextlib.asynccontextmanager
async def room(port: int, crisis_id: int, session: str):
    host = f"utrecht.localhost:{port}"
    async with websockets.connect(
        f"ws://{host}/ws/crisis/{crisis_id}/",
        host="127.0.0.1",
        port=port,
        origin=f"http://{host}",
        additional_headers={"Cookie": f"sessionid={session}"},
        max_size=2**20,
        open_timeout=20,
    ) as ws:
        client = Client(ws)
        hello = await client.next()
        assert hello["type"] == "hello"
        client.hello = hello
        yield client


async def test_one_daphne_post_resume_and_bad_frames(processes, cast) -> None:
    port = await sync_to_async(processes.daphne)()
    official = await sync_to_async(cookie)(cast.official)
    ally = await sync_to_async(cookie)(cast.ally_users[0])
    async with room(port, cast.crisis_id, official) as writer:
        async with room(port, cast.crisis_id, ally) as reader:
            ack = await writer.post("Eerste bericht")
            event = (await reader.until(lambda f: f["type"] == "event"))[-1]
            assert (event["seq"], event["data"]["body"]) == (ack["seq"], "Eerste bericht")
            seen = event["seq"]
        # The reader is gone; 50 posts later it comes back and resumes.
        for i in range(50):
            await writer.post(f"gemist {i}")
        async with room(port, cast.crisis_id, ally) as reader:
            await reader.send({"type": "resume", "after": seen})
            frames = await reader.until(lambda f: f["type"] == "resumed")
            events = [f for f in frames if f["type"] == "event"]
            assert [e["seq"] for e in events] == list(range(seen + 1, seen + 51))
            assert [e["data"]["body"] for e in events] == [f"gemist {i}" for i in range(50)]
            await reader.send("not json")
            assert (await reader.next())["code"] == "not_json"
            await reader.send(
                json.dumps({"type": "post", "client_msg_id": str(uuid.uuid4()), "body": "x" * 70000})
            )
            assert (await reader.next())["code"] == "too_large"
            await reader.send({"type": "ping"})
            assert (await reader.next())["type"] == "pong"


async def test_two_daphne_processes_share_a_room_through_redis(processes, cast) -> None:
    redis_port, _ = await sync_to_async(processes.redis)()
    url = f"redis://127.0.0.1:{redis_port}/0"
    first = await sync_to_async(processes.daphne)(url)
    second = await sync_to_async(processes.daphne)(url)
    official = await sync_to_async(cookie)(cast.official)
    ally = await sync_to_async(cookie)(cast.ally_users[1])
    async with room(first, cast.crisis_id, official) as writer, room(second, cast.crisis_id, ally) as reader:
        ack = await writer.post("Van proces één naar proces twee")
        event = (await reader.until(lambda f: f["type"] == "event"))[-1]
        assert (event["seq"], event["data"]["body"]) == (ack["seq"], "Van proces één naar proces twee")
        # And back.
        ack = await reader.post("En terug")
        event = (await writer.until(lambda f: f["type"] == "event" and f["seq"] == ack["seq"]))[-1]
        assert event["data"]["body"] == "En terug"


async def test_redis_stopped_and_restarted_mid_test(processes, cast) -> None:
    redis_port, redis = await sync_to_async(processes.redis)()
    port = await sync_to_async(processes.daphne)(f"redis://127.0.0.1:{redis_port}/0")
    official = await sync_to_async(cookie)(cast.official)
    ally = await sync_to_async(cookie)(cast.ally_users[0])
    async with room(port, cast.crisis_id, official) as writer, room(port, cast.crisis_id, ally) as reader:
        ack = await writer.post("voor de storing")
        assert (await reader.until(lambda f: f["type"] == "event"))[-1]["seq"] == ack["seq"]
        seen = ack["seq"]
        await sync_to_async(processes.stop)(redis)
        # Redis is gone: posts are still stored and acknowledged, one by one, in order.
        acks = [await writer.post(f"tijdens de storing {i}") for i in range(3)]
        assert [a["seq"] for a in acks] == [seen + 1, seen + 2, seen + 3]
        await sync_to_async(processes.redis)(redis_port)  # back, empty: every group is forgotten
        # The server recovers by itself (the sockets rejoin their groups and read the gap back):
        # a post after the restart reaches the reader live, after what it missed.
        later = await writer.post("na de storing")
        target = later["seq"]
        got = await reader.until(lambda f: f["type"] == "event" and f["seq"] >= target, timeout=30)
        events = [f["seq"] for f in got if f["type"] == "event"]
        assert events == sorted(set(events)) and events[-1] == later["seq"]
        # A resume from before the outage gives every event exactly once, in order.
        await reader.send({"type": "resume", "after": seen})
        frames = await reader.until(lambda f: f["type"] == "resumed")
        resumed = [f["seq"] for f in frames if f["type"] == "event"]
        assert resumed == list(range(seen + 1, later["seq"] + 1))
    # A new socket after the restart opens and is live.
    async with room(port, cast.crisis_id, ally) as again:
        assert again.hello["last_seq"] == later["seq"]
