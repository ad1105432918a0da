"""The crisis room through a Redis failover: a primary, a replica and a sentinel of the test's own.

A daphne process configured with the sentinel only (``AGORA_REDIS_SENTINELS``, no ``REDIS_URL``;
passwords on the Redis servers and on the sentinel) serves two clients in one crisis room. The
primary is SIGKILLed; while the sentinel fails over, posts over the socket and over REST are
stored and acknowledged (a REST retry with the same ``client_msg_id`` stores nothing twice) and
``/readyz`` says not ready. Once the replica is promoted, a post reaches both clients live after
what they missed, a resume from before the kill gives each client every event once and in order,
``/readyz`` is ready and the cache (the login counter) counts on the new primary, all in the web
process started at the beginning. The shared Redis is never touched.
"""

from __future__ import annotations

import json
import signal
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import redis
from asgiref.sync import sync_to_async
from django.conf import settings
from knox.models import AuthToken

from tests.realtime.crisis_cast import cookie
from tests.realtime.test_crisis_daphne import Processes, room

pytest.importorskip("websockets")

pytestmark = [
    pytest.mark.django_db(transaction=True, available_apps=list(settings.INSTALLED_APPS)),
    pytest.mark.slow,
]
MASTER = "agora-test"
PASSWORD = "redis-" + uuid.uuid4().hex
SENTINEL_PASSWORD = "sentinel-" + uuid.uuid4().hex
# Polled, as a load balancer polls it: its channel-layer round trip has 2 s, which one run on a
# 2-core machine at load 9 missed (a TimeoutError, once).
READY = (200, {"status": "ok", "database": "ok", "channel_layer": "ok"})


def wait_until(what: str, ready: Callable[[], Any], timeout: float = 15) -> Any:
    """Poll ``ready`` until it returns something true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if result := ready():
                return result
        except redis.RedisError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{what}: not within {timeout} s")


class Failover:
    """A primary and a replica (both with a password) and one sentinel watching them."""

    def __init__(self, processes: Processes) -> None:
        auth = ("--requirepass", PASSWORD, "--masterauth", PASSWORD)
        self.primary_port, self.primary = processes.redis(None, *auth)
        replica_of = ("--replicaof", "127.0.0.1", str(self.primary_port))
        self.replica_port, _ = processes.redis(None, *auth, *replica_of)
        conf = processes.tmp / "sentinel.conf"  # the sentinel rewrites it: a file of its own
        conf.write_text(
            f"sentinel monitor {MASTER} 127.0.0.1 {self.primary_port} 1\n"
            f"sentinel auth-pass {MASTER} {PASSWORD}\n"
            f"sentinel down-after-milliseconds {MASTER} 1000\n"
            f"sentinel failover-timeout {MASTER} 1000\n"
            f"requirepass {SENTINEL_PASSWORD}\n"
        )
        self.sentinel_port, _ = processes.redis(None, str(conf), binary="redis-sentinel")
        self.sentinel = redis.Redis(port=self.sentinel_port, password=SENTINEL_PASSWORD, socket_timeout=2)
        # Failover needs a replica that is in sync and that the sentinel knows of.
        wait_until(
            "replica in sync",
            lambda: self.node(self.replica_port).info("replication")["master_link_status"] == "up",
        )
        wait_until("sentinel sees the replica", lambda: self.sentinel.sentinel_slaves(MASTER))

    def node(self, port: int) -> redis.Redis:
        return redis.Redis(port=port, password=PASSWORD, socket_timeout=2)

    def master(self) -> dict[str, Any]:
        """The sentinel's state of the master (``SENTINEL MASTER``), as redis-py reads it to connect."""
        return self.sentinel.sentinel_master(MASTER)

    def promoted(self) -> bool:
        """The replica is the master, and no longer down: redis-py's ``discover_master`` takes it."""
        state = self.master()
        return state["port"] == self.replica_port and not (state["is_sdown"] or state["is_odown"])

    def environment(self) -> dict[str, str]:
        return {
            "REDIS_URL": "",
            "AGORA_REDIS_SENTINELS": f"127.0.0.1:{self.sentinel_port}",
            "AGORA_REDIS_SENTINEL_MASTER": MASTER,
            "AGORA_REDIS_PASSWORD": PASSWORD,
            "AGORA_REDIS_SENTINEL_PASSWORD": SENTINEL_PASSWORD,
        }


def http(
    port: int, path: str, *, host: str = "127.0.0.1", body: dict | None = None, token: str = ""
) -> tuple[int, dict]:
    headers = {"Host": host, "Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


async def test_the_room_survives_a_sentinel_failover(processes, cast) -> None:
    failover = await sync_to_async(Failover)(processes)
    port = await sync_to_async(processes.daphne)(**failover.environment())
    web = processes.running[-1]
    site = f"utrecht.localhost:{port}"
    official = await sync_to_async(cookie)(cast.official)
    ally = await sync_to_async(cookie)(cast.ally_users[0])
    _, token = await sync_to_async(AuthToken.objects.create)(user=cast.official)
    messages = f"/api/v1/crises/{cast.crisis_id}/messages/"
    wrong = {"username": cast.official.username, "password": "not-the-password"}
    await sync_to_async(wait_until)("ready", lambda: http(port, "/readyz") == READY)

    async with room(port, cast.crisis_id, official) as writer, room(port, cast.crisis_id, ally) as reader:
        ack = await writer.post("voor de failover")
        assert (await reader.until(lambda f: f["type"] == "event"))[-1]["seq"] == ack["seq"]
        seen = ack["seq"]
        primary = failover.node(failover.primary_port)
        assert primary.keys(f"{settings.CHANNEL_PREFIX}*"), "the layer is not on the sentinel's primary"
        # The cache too: a failed login counts on the primary, and the replica has the count.
        assert (await sync_to_async(http)(port, "/api/v1/auth/token/", host=site, body=wrong))[0] == 400
        replica = failover.node(failover.replica_port)
        await sync_to_async(wait_until)("counter replicated", lambda: replica.keys("*login-failures*"))

        failover.primary.send_signal(signal.SIGKILL)
        failover.primary.wait(timeout=5)
        # While the sentinel fails over, every post is stored and acknowledged, in order: first
        # while it still names the dead primary (the layer's connections are refused) ...
        during = [f"tijdens de failover {i}" for i in range(3)]
        acks = [await writer.post(body) for body in during]
        assert [a["seq"] for a in acks] == [seen + 1, seen + 2, seen + 3]
        # ... then once it holds the primary down and names none (redis-py: MasterNotFoundError).
        await sync_to_async(wait_until)("primary down", lambda: failover.master()["is_odown"])
        rest = {"client_msg_id": str(uuid.uuid4()), "body": "via REST tijdens de failover"}
        status, first = await sync_to_async(http)(port, messages, host=site, body=rest, token=token)
        assert (status, first["seq"], first["created"]) == (201, seen + 4, True)
        status, again = await sync_to_async(http)(port, messages, host=site, body=rest, token=token)
        assert (status, again["seq"], again["created"]) == (200, seen + 4, False)  # a retry: not stored twice
        assert (await sync_to_async(http)(port, "/readyz"))[0] == 503  # not ready: no primary
        assert failover.master()["port"] == failover.primary_port, "the failover ended before the posts"

        await sync_to_async(wait_until)("replica promoted", failover.promoted)
        # The same web process recovers by itself: a post after the failover reaches both live, after
        # what the layer missed meanwhile (read from PostgreSQL): nothing lost, nothing twice.
        later = await writer.post("na de failover")
        assert later["seq"] == seen + 5
        expected = list(range(seen + 1, later["seq"] + 1))
        for client in (reader, writer):
            if later["seq"] not in client.seqs:
                await client.until(lambda f: f["type"] == "event" and f["seq"] >= later["seq"], timeout=20)
            assert [seq for seq in client.seqs if seq > seen] == expected
            assert len(client.seqs) == len(set(client.seqs))
        # Each client resumes from before the kill: every event once, in order, nothing missing.
        bodies = [*during, rest["body"], "na de failover"]
        for client in (reader, writer):
            await client.send({"type": "resume", "after": seen})
            frames = await client.until(lambda f: f["type"] == "resumed")
            events = [f for f in frames if f["type"] == "event"]
            assert [e["seq"] for e in events] == expected
            assert [e["data"]["body"] for e in events] == bodies

    await sync_to_async(wait_until)("ready", lambda: http(port, "/readyz") == READY)
    # The cache followed: the second failed login counts on the promoted replica, after the first.
    assert (await sync_to_async(http)(port, "/api/v1/auth/token/", host=site, body=wrong))[0] == 400
    (counter,) = replica.keys("*login-failures*")
    assert replica.get(counter) == b"2"
    assert web.poll() is None, "the web process was restarted"
