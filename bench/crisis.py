"""The crisis room under load, against the floor of the machine it runs on.

    python -m bench crisis            # 12, 100 and 1,000 clients; 50 councils at once
    python -m bench crisis --quick    # a smoke test: a handful of clients and councils

Measured in one run, interleaved per size, each on fresh processes:

- **floor**: a bare fan-out server written with the ``websockets`` library (``bench/floor.py``);
- **durable**: that server committing each post in PostgreSQL before its ack and broadcast, the
  least a room that keeps the house rule (persist, then broadcast) must do;
- **one**: one daphne process (``agora.asgi``, the in-memory channel layer);
- **two**: two daphne processes sharing the room through channels-redis on a ``redis-server`` of
  the bench's own; the clients are split over both, the writer on the first;
- the Redis publish/subscribe round trip on that same Redis.

Every client is a real ``websockets`` connection of a real member (a session in the bench's
database) on the municipality's host; one of them posts, one post at a time, and the latency is
the time from sending the post to each client receiving its event (all clients, the writer
included). Memory per socket is the servers' RSS growth over the open sockets. Then: the time from
a declaration (``POST /api/v1/crises/``) to the last of the council's 12 members receiving the call
on their personal socket, and 50 councils declared at once until every call went out by SMS.

Works in a database of its own (``<name>_crisis_bench`` next to DATABASE_URL's). Targets: p99 at
most 2x the floor at 12 and 100 clients, 3x at 1,000; two processes at most 1.5x one; the 12
members within 1 s; the 50 councils within 5 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import sys
import tempfile
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from bench.crisis_servers import Server, Servers
from bench.crisis_world import World
from bench.floor import commit_round_trips, redis_round_trips, summary_ms

FULL_SIZES = (12, 100, 1000)
QUICK_SIZES = (4,)
FULL_POSTS = 50
QUICK_POSTS = 5
FULL_BURST = 50
QUICK_BURST = 3
FLOOR_RATIO = {12: 2.0, 100: 2.0, 1000: 3.0}
TWO_PROCESS_RATIO = 1.5
DECLARATION_TARGET_S = 1.0
BURST_TARGET_S = 5.0
SETUPS = ("floor", "durable", "one", "two")
FLOORS = ("floor", "durable")


@dataclass
class Run:
    """One setup at one size: every (post, client) latency, and the memory the sockets took."""

    setup: str
    clients: int
    latencies: list[float] = field(default_factory=list)
    last_member: list[float] = field(default_factory=list)  # per post: delivery to the last client
    lost: int = 0
    rss_per_socket: float = 0.0
    connect_seconds: float = 0.0

    @property
    def p50_ms(self) -> float:
        return summary_ms(self.latencies)[0]

    @property
    def p99_ms(self) -> float:
        return summary_ms(self.latencies)[1]


@dataclass
class Results:
    runs: list[Run] = field(default_factory=list)
    redis_rtt: list[float] = field(default_factory=list)
    commit_rtt: list[float] = field(default_factory=list)
    declaration: list[float] = field(default_factory=list)  # declaration to the 12th member
    burst_answered: float = 0.0  # 50 councils: until every declaration was answered
    burst_notified: float = 0.0  # ... until the last SMS went out
    burst_councils: int = 0
    durable_stored: int = 0  # posts the durable floor committed (warm-up included)

    def run(self, setup: str, clients: int) -> Run | None:
        return next((r for r in self.runs if r.setup == setup and r.clients == clients), None)


# --- clients --------------------------------------------------------------------------------


class Room:
    """``n`` websocket clients in one room; each reader notes when a post's event reached it."""

    def __init__(self) -> None:
        self.sockets: list = []
        self.readers: list[asyncio.Task] = []
        self.arrivals: dict[str, list[float]] = {}
        self.done: dict[str, asyncio.Event] = {}
        self.expected = 0
        self.last_frame = time.perf_counter()
        self.acks: dict[str, asyncio.Event] = {}

    async def open(self, urls: list[tuple[str, dict]], *, concurrency: int = 4) -> None:
        import websockets

        # A few handshakes at a time: daphne drops an opening handshake after 5 s (autobahn's
        # openHandshakeTimeout), and a join costs a few database round trips on a busy machine.
        gate = asyncio.Semaphore(concurrency)

        async def connect(url: str, options: dict):
            async with gate:
                # No client keepalive: on a saturated machine a late pong is not a dead server.
                ws = await websockets.connect(
                    url, max_size=2**22, open_timeout=120, ping_interval=None, **options
                )
                await ws.recv()  # hello
                return ws

        self.sockets = list(await asyncio.gather(*(connect(url, options) for url, options in urls)))
        self.expected = len(self.sockets)
        self.readers = [asyncio.ensure_future(self._read(ws)) for ws in self.sockets]

    async def _read(self, ws) -> None:
        import websockets

        try:
            async for raw in ws:
                now = time.perf_counter()
                self.last_frame = now
                frame = json.loads(raw)
                kind = frame.get("type")
                msg_id = frame.get("client_msg_id")
                if kind == "event" and msg_id in self.arrivals:
                    got = self.arrivals[msg_id]
                    got.append(now)
                    if len(got) == self.expected:
                        self.done[msg_id].set()
                elif kind == "ack" and msg_id in self.acks:
                    self.acks[msg_id].set()
        except websockets.ConnectionClosed:
            pass

    async def quiet(self, seconds: float = 0.5, limit: float = 300) -> None:
        """Wait until no frame has come for ``seconds`` (the presence of the joins has settled)."""
        started = time.perf_counter()
        while time.perf_counter() - self.last_frame < seconds and time.perf_counter() - started < limit:
            await asyncio.sleep(seconds / 2)

    async def post(self, *, timeout: float = 60) -> tuple[list[float], int]:
        """One post by the first client; each client's latency and how many never got it."""
        msg_id = str(uuid.uuid4())
        self.arrivals[msg_id] = []
        self.done[msg_id] = asyncio.Event()
        self.acks[msg_id] = asyncio.Event()
        frame = json.dumps({"type": "post", "client_msg_id": msg_id, "body": "Stand van zaken: rustig."})
        started = time.perf_counter()
        await self.sockets[0].send(frame)
        try:
            await asyncio.wait_for(self.done[msg_id].wait(), timeout)
            await asyncio.wait_for(self.acks[msg_id].wait(), timeout)
        except TimeoutError:
            pass
        got = self.arrivals.pop(msg_id)
        del self.done[msg_id], self.acks[msg_id]
        return [t - started for t in got], self.expected - len(got)

    async def close(self) -> None:
        await asyncio.gather(*(ws.close() for ws in self.sockets), return_exceptions=True)
        for reader in self.readers:
            reader.cancel()
        await asyncio.gather(*self.readers, return_exceptions=True)


def _member_options(world: World, port: int, session: str) -> dict:
    host = f"{world.host}:{port}"
    return {
        "host": "127.0.0.1",
        "port": port,
        "origin": f"http://{host}",
        "additional_headers": {"Cookie": f"sessionid={session}"},
    }


async def measure_room(
    servers: list[Server], world: World, crisis_id: int | None, clients: int, posts: int, setup: str
) -> Run:
    """Open ``clients`` sockets spread over ``servers``, post ``posts`` times, note every delivery."""
    run = Run(setup, clients)
    urls = []
    for n in range(clients):
        server = servers[n % len(servers)]
        if crisis_id is None:  # a floor: no room, no member
            urls.append((f"ws://127.0.0.1:{server.port}/", {}))
        else:
            url = f"ws://{world.host}:{server.port}/ws/crisis/{crisis_id}/"
            urls.append((url, _member_options(world, server.port, world.room_sessions[n])))
    before = sum(s.rss() for s in servers)
    room = Room()
    started = time.perf_counter()
    await room.open(urls)
    run.connect_seconds = time.perf_counter() - started
    await room.quiet()
    run.rss_per_socket = (sum(s.rss() for s in servers) - before) / clients
    for _ in range(3):  # warm-up: code paths, plans, connections
        await room.post()
    for _ in range(posts):
        latencies, lost = await room.post()
        run.latencies.extend(latencies)
        if latencies:
            run.last_member.append(max(latencies))
        run.lost += lost
    await room.close()
    return run


# --- declarations ---------------------------------------------------------------------------


def _declare_over_http(port: int, world: World, council_id: int) -> tuple[int, int]:
    body = json.dumps(
        {"title": "Bank: afkondiging", "kind": "incident", "council_ids": [council_id]}
    ).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/crises/",
        data=body,
        method="POST",
        headers={
            "Host": world.host,
            "Content-Type": "application/json",
            "Authorization": f"Token {world.token}",
        },
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        return response.status, json.loads(response.read())["id"]


async def measure_declaration(server: Server, world: World, repeats: int) -> list[float]:
    """Declaration to the last of the council's 12 members getting the call on their own socket."""
    import websockets

    arrivals: dict[int, list[float]] = {}

    async def listen(ws) -> None:
        try:
            async for raw in ws:
                frame = json.loads(raw)
                if frame.get("event") == "crisis.convened":
                    arrivals.setdefault(frame["payload"]["crisis_id"], []).append(time.perf_counter())
        except websockets.ConnectionClosed:
            pass

    sockets = []
    for session in world.member_sessions:
        ws = await websockets.connect(
            f"ws://{world.host}:{server.port}/ws/events/", **_member_options(world, server.port, session)
        )
        await ws.recv()  # hello
        sockets.append(ws)
    listeners = [asyncio.ensure_future(listen(ws)) for ws in sockets]
    timings = []
    try:
        for attempt in range(repeats + 1):
            started = time.perf_counter()
            status, crisis_id = await asyncio.to_thread(
                _declare_over_http, server.port, world, world.council_ids[0]
            )
            assert status == 201, status
            deadline = time.perf_counter() + 30
            while len(arrivals.get(crisis_id, [])) < len(sockets) and time.perf_counter() < deadline:
                await asyncio.sleep(0.002)
            got = arrivals.get(crisis_id, [])
            if len(got) < len(sockets):
                raise RuntimeError(f"only {len(got)} of {len(sockets)} members were called")
            if attempt:  # the first one warms up
                timings.append(max(got) - started)
    finally:
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
        for listener in listeners:
            listener.cancel()
        await asyncio.gather(*listeners, return_exceptions=True)
    return timings


def _sms_lines(path: Path) -> int:
    if not path.exists():
        return 0
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


def measure_burst(server: Server, world: World, councils: list[int], sms_file: Path) -> tuple[float, float]:
    """Every council declared at once: until all were answered, and until the last SMS went out."""
    expected = _sms_lines(sms_file) + 12 * len(councils)  # every member of the bench has a number
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(councils)) as pool:
        results = list(pool.map(lambda pk: _declare_over_http(server.port, world, pk), councils))
    answered = time.perf_counter() - started
    assert all(status == 201 for status, _ in results), results
    deadline = time.perf_counter() + 120
    while _sms_lines(sms_file) < expected and time.perf_counter() < deadline:
        time.sleep(0.01)
    notified = time.perf_counter() - started
    if _sms_lines(sms_file) < expected:
        raise RuntimeError(f"{expected - _sms_lines(sms_file)} calls never went out")
    return answered, notified


# --- the run --------------------------------------------------------------------------------


def raise_file_limit(needed: int) -> None:
    """Each client is a file descriptor here and one in the server: raise the soft limit if needed."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def run(world: World, sizes: tuple[int, ...], posts: int, burst: int, folder: Path) -> Results:
    """Everything, on fresh processes per setup and size; stops what it started."""
    from django.test.utils import override_settings

    from bench.crisis_world import close_open_crises, declare_room

    raise_file_limit(4 * max(sizes) + 512)
    # The room declarations made here call their members too: into the bench's folder, not the log.
    quiet = override_settings(
        AGORA_SMS_BACKEND="file",
        AGORA_SMS_FILE=str(folder / "sms-bench.jsonl"),
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    quiet.enable()
    results = Results(burst_councils=burst)
    _drop_floor_log()  # what an interrupted run left
    servers = Servers(folder)
    try:
        redis_url = servers.redis()
        samples = 500 if posts >= FULL_POSTS else 50
        results.redis_rtt = asyncio.run(redis_round_trips(redis_url, samples))
        results.commit_rtt = commit_round_trips(samples)
        for size in sizes:
            for setup in SETUPS:
                crisis_id = None if setup in FLOORS else declare_room(world)
                if setup in FLOORS:
                    started = [servers.floor(durable=setup == "durable")]
                elif setup == "one":
                    started = [servers.daphne(host=world.host)]
                else:
                    started = [servers.daphne(redis_url, host=world.host) for _ in range(2)]
                print(f"... {size} clients, {setup}", file=sys.stderr, flush=True)
                try:
                    done = asyncio.run(measure_room(started, world, crisis_id, size, posts, setup))
                    results.runs.append(done)
                    print(
                        f"    p50 {done.p50_ms:.1f} ms, p99 {done.p99_ms:.1f} ms, lost {done.lost}, "
                        f"{done.rss_per_socket / 1024:.0f} KB/socket",
                        file=sys.stderr,
                        flush=True,
                    )
                finally:
                    for server in started:
                        servers.stop(server.process)
                close_open_crises(world)
        server = servers.daphne(host=world.host)
        results.declaration = asyncio.run(measure_declaration(server, world, 5 if posts >= FULL_POSTS else 2))
        close_open_crises(world)
        results.burst_answered, results.burst_notified = measure_burst(
            server, world, world.council_ids[1 : burst + 1], servers.sms_file
        )
        close_open_crises(world)
    finally:
        servers.stop_all()
        quiet.disable()
        results.durable_stored = _drop_floor_log()
    return results


def _drop_floor_log() -> int:
    """How many posts the durable floor (bench/floor.py) stored; they are not kept between runs."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('public.bench_floor_log') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return 0
        cursor.execute("SELECT count(*) FROM public.bench_floor_log")
        stored = cursor.fetchone()[0]
        cursor.execute("DROP TABLE public.bench_floor_log")
    return stored


def _ratio(run_: Run, floor: Run | None) -> float:
    return run_.p99_ms / floor.p99_ms if floor is not None and floor.latencies else float("nan")


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def render(results: Results) -> str:
    lines = [
        "Crisis room: post-to-delivery latency to every client (the writer included), "
        "against a bare websockets fan-out on the same machine",
        "",
        f"| {'setup':<28} | {'clients':>7} | {'p50 ms':>7} | {'p99 ms':>7} | {'last p99 ms':>11} | "
        f"{'p99/floor':>9} | {'p99/durable':>11} | {'lost':>4} | {'KB/socket':>9} | {'connect s':>9} |",
        f"| {'-' * 28} | {'-' * 6}:| {'-' * 6}:| {'-' * 6}:| {'-' * 10}:| {'-' * 8}:| {'-' * 10}:| "
        f"{'-' * 3}:| {'-' * 8}:| {'-' * 8}:|",
    ]
    labels = {
        "floor": "floor (bare websockets)",
        "durable": "durable floor (stores posts)",
        "one": "agora, 1 daphne (in-memory)",
        "two": "agora, 2 daphne (redis)",
    }
    for r in results.runs:
        ratio, durable = (_ratio(r, results.run(f, r.clients)) for f in FLOORS)
        last = summary_ms(r.last_member)[1] if r.last_member else float("nan")
        lines.append(
            f"| {labels[r.setup]:<28} | {r.clients:>7} | {r.p50_ms:>7.1f} | {r.p99_ms:>7.1f} | "
            f"{last:>11.1f} | {ratio:>8.2f}x | {durable:>10.2f}x | {r.lost:>4} | "
            f"{r.rss_per_socket / 1024:>9.1f} | {r.connect_seconds:>9.2f} |"
        )
    rtt50, rtt99 = summary_ms(results.redis_rtt)
    commit50, commit99 = summary_ms(results.commit_rtt)
    lines += [
        "",
        f"Redis publish/subscribe round trip: p50 {rtt50:.2f} ms, p99 {rtt99:.2f} ms",
        f"PostgreSQL INSERT + COMMIT round trip (what storing a post costs at least): "
        f"p50 {commit50:.2f} ms, p99 {commit99:.2f} ms",
        "",
    ]
    for size in sorted({r.clients for r in results.runs}):
        floor, durable, one, two = (results.run(s, size) for s in SETUPS)
        limit = FLOOR_RATIO.get(size, 3.0 if size > 100 else 2.0)
        for run_ in (one, two):
            ratio = _ratio(run_, floor)
            lines.append(
                f"{size} clients, {run_.setup} process(es): p99 {ratio:.2f}x the floor "
                f"(target <= {limit:.0f}x: {_verdict(ratio <= limit)}); "
                f"{_ratio(run_, durable):.2f}x the durable floor"
            )
        ratio = two.p99_ms / one.p99_ms
        lines.append(
            f"{size} clients, two processes vs one: p99 {ratio:.2f}x "
            f"(target <= {TWO_PROCESS_RATIO}x: {_verdict(ratio <= TWO_PROCESS_RATIO)})"
        )
    if results.declaration:
        worst = max(results.declaration)
        lines.append(
            f"declaration to the last of 12 members called: median "
            f"{statistics.median(results.declaration) * 1000:.0f} ms, worst {worst * 1000:.0f} ms "
            f"(target < {DECLARATION_TARGET_S:.0f} s: {_verdict(worst < DECLARATION_TARGET_S)})"
        )
    lines.append(
        f"{results.burst_councils} councils declared at once: "
        f"all answered in {results.burst_answered:.2f} s, "
        f"every member's SMS out in {results.burst_notified:.2f} s "
        f"(target < {BURST_TARGET_S:.0f} s: {_verdict(results.burst_notified < BURST_TARGET_S)})"
    )
    return "\n".join(lines)


def use_bench_database() -> None:
    """Point the default connection at ``<name>_crisis_bench`` (created and migrated when missing)."""
    from django.core.management import call_command
    from django.db import connections

    from agora.database import ensure_database
    from agora.municipalities.template import ensure_template_schema

    config = connections["default"].settings_dict
    if not config["NAME"].endswith("_crisis_bench"):
        config["NAME"] = f"{config['NAME']}_crisis_bench"
    connections["default"].close()
    ensure_database(config)
    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    ensure_template_schema(verbosity=0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench crisis", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"sizes {QUICK_SIZES}, {QUICK_BURST} councils")
    parser.add_argument("--sizes", help=f"comma-separated client counts (default {FULL_SIZES})")
    parser.add_argument("--posts", type=int, default=None, help=f"posts per size (default {FULL_POSTS})")
    parser.add_argument("--burst", type=int, default=None, help=f"councils at once (default {FULL_BURST})")
    args = parser.parse_args(argv)
    sizes = (
        tuple(int(s) for s in args.sizes.split(","))
        if args.sizes
        else (QUICK_SIZES if args.quick else FULL_SIZES)
    )
    posts = args.posts or (QUICK_POSTS if args.quick else FULL_POSTS)
    burst = args.burst or (QUICK_BURST if args.quick else FULL_BURST)
    if min(sizes) < 2 or posts < 1 or burst < 1:
        parser.error("at least 2 clients, 1 post and 1 council")

    from bench.run import _setup

    _setup()
    from django.conf import settings
    from django.db import connections

    if not settings.DATABASE_URL:
        parser.error("the crisis bench runs server processes: set DATABASE_URL")
    from bench import crisis_world

    try:
        use_bench_database()
        world = crisis_world.build(room_clients=max(sizes), councils=burst + 1)
        try:
            with tempfile.TemporaryDirectory(prefix="crisis-bench-") as folder:
                results = run(world, sizes, posts, burst, Path(folder))
        finally:
            crisis_world.end_sessions(world)
        print(render(results))
    finally:
        connections.close_all()
    return 0
