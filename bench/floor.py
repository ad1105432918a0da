"""The floor the crisis room is measured against: what the machine itself can do.

- A bare fan-out server written with the ``websockets`` library: every post a client sends is
  parsed, turned into one event frame and broadcast to every open socket. No database, no
  authentication, no channel layer: the least any room server must do.

      python -m bench.floor --fd N     # serve on an inherited, listening socket (the bench's)

- The same server storing each post first (``--database URL``): one INSERT committed in
  PostgreSQL before the ack and the broadcast, as the house rule demands of the room (persist,
  then broadcast; nothing acknowledged is lost). The bare floor cannot be met by any server that
  keeps that rule, since a durable commit alone costs several times its latency; this one is the
  least such a server must do, so the room's own overhead is read against it.

- The Redis publish/subscribe round trip: what two processes sharing a room through Redis pay
  at the very least per message.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import socket
import time


async def _store(database_url: str):
    """A function that commits one post in PostgreSQL (autocommit: one durable INSERT each)."""
    import psycopg

    connection = await psycopg.AsyncConnection.connect(database_url, autocommit=True)
    await connection.execute("CREATE TABLE IF NOT EXISTS public.bench_floor_log (seq int, body text)")

    async def store(seq: int, body: str) -> None:
        await connection.execute("INSERT INTO public.bench_floor_log VALUES (%s, %s)", (seq, body))

    return store


async def serve_fanout(sock: socket.socket, database_url: str = "") -> None:
    """Serve on ``sock`` until cancelled (or the process is terminated); store posts if a URL is given."""
    import websockets
    from websockets.asyncio.server import broadcast, serve

    clients: set = set()
    seq = 0
    store = await _store(database_url) if database_url else None

    async def handler(ws) -> None:
        nonlocal seq
        clients.add(ws)
        try:
            await ws.send(json.dumps({"type": "hello", "last_seq": seq}))
            async for raw in ws:
                frame = json.loads(raw)
                if frame.get("type") != "post":
                    continue
                seq += 1
                if store is not None:
                    await store(seq, frame["body"])
                msg_id = frame["client_msg_id"]
                event = {"type": "event", "seq": seq, "kind": "message.posted", "client_msg_id": msg_id}
                event["data"] = {"body": frame["body"]}
                await ws.send(json.dumps({"type": "ack", "client_msg_id": msg_id, "seq": seq}))
                broadcast(clients, json.dumps(event, separators=(",", ":")))
        except websockets.ConnectionClosed:
            pass
        finally:
            clients.discard(ws)

    async with serve(handler, sock=sock, max_size=2**16, ping_interval=None):
        await asyncio.Future()


async def redis_round_trips(url: str, samples: int) -> list[float]:
    """``samples`` publish-to-receive times (seconds) on one channel of the Redis at ``url``."""
    import redis.asyncio as redis

    publisher = redis.Redis.from_url(url)
    subscriber = redis.Redis.from_url(url)
    pubsub = subscriber.pubsub()
    channel = f"bench.floor.{time.monotonic_ns()}"
    await pubsub.subscribe(channel)
    await pubsub.get_message(timeout=2)  # the subscribe confirmation
    timings = []
    try:
        for _ in range(samples):
            started = time.perf_counter()
            await publisher.publish(channel, b"x" * 200)
            while True:
                message = await pubsub.get_message(timeout=5, ignore_subscribe_messages=True)
                if message is not None:
                    break
            timings.append(time.perf_counter() - started)
    finally:
        await pubsub.unsubscribe(channel)
        await pubsub.aclose()
        await publisher.aclose()
        await subscriber.aclose()
    return timings


def commit_round_trips(samples: int) -> list[float]:
    """``samples`` times (seconds) of one durable INSERT and COMMIT on the bench's database.

    The room stores every post before it acknowledges or broadcasts it; this is the least that
    costs on this machine's PostgreSQL (its disk's fsync included), with no Python around it.
    """
    from django.db import connection

    connection.ensure_connection()
    timings = []
    with connection.cursor() as cursor:
        # A real (WAL-logged) table: a temporary one would skip the very write being measured.
        cursor.execute("CREATE TABLE IF NOT EXISTS public.bench_commit_probe (x int)")
        try:
            for _ in range(samples):
                started = time.perf_counter()
                cursor.execute("BEGIN; INSERT INTO public.bench_commit_probe VALUES (1); COMMIT")
                timings.append(time.perf_counter() - started)
        finally:
            cursor.execute("DROP TABLE IF EXISTS public.bench_commit_probe")
    return timings


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile (``fraction`` 0.5, 0.99) of ``values``."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[rank]


def summary_ms(values: list[float]) -> tuple[float, float]:
    return percentile(values, 0.5) * 1000, percentile(values, 0.99) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.floor", description=__doc__.split("\n\n")[0])
    parser.add_argument("--fd", type=int, required=True, help="an inherited listening socket")
    parser.add_argument("--database", default="", help="store every post here before its broadcast")
    args = parser.parse_args()
    sock = socket.socket(fileno=args.fd)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve_fanout(sock, args.database))


if __name__ == "__main__":
    main()
