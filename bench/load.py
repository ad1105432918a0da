"""A bounded load test on loopback: the API and open crisis-room sockets together, for minutes.

    python -m bench load                   # 1,000 sockets, 20 API users, 180 s
    python -m bench load --quick           # 50 sockets, 5 API users, 20 s (a smoke test)
    python -m bench load --sockets 500 --users 10 --seconds 60

The production shape on one machine: two ``agora serve`` processes sharing the rooms through
channels-redis on a ``redis-server`` of the bench's own (never the shared one), PostgreSQL from
DATABASE_URL (the bench's own database next to it, as ``python -m bench crisis`` uses). Then, at
the same time:

- ``sockets`` members sit in one crisis room, spread over both processes, every one reading;
- ``locust --headless`` (bench/locustfile.py) drives ``users`` API clients with an official's
  token: the room's events, the crisis, councils, the map, and posts to the room over REST;
- once a second the first socket posts to the room; every socket must receive every post.

Every few seconds it samples the PostgreSQL connections of the bench database (pg_stat_activity)
and the servers' resident memory. It prints one table: requests and their latency per route,
5xx and other failures, posts delivered and lost, the connections against their bound
(processes x the connection pool of ``agora serve``), and memory at the first and the last third
of the run ("flat": the last third within 10% of the first). Everything is local (127.0.0.1
only) and stops by itself; the request loop is bounded by ``--seconds``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROCESSES = 2
SAMPLE_SECONDS = 3.0
FLAT_LIMIT = 1.10


@dataclass
class Samples:
    """What the sampler saw, in order."""

    connections: list[int] = field(default_factory=list)
    rss: list[int] = field(default_factory=list)  # both servers together, bytes

    def thirds(self) -> tuple[float, float]:
        """Median memory of the first and of the last third of the run."""
        third = max(1, len(self.rss) // 3)
        return statistics.median(self.rss[:third]), statistics.median(self.rss[-third:])


@dataclass
class Outcome:
    sockets: int
    users: int
    seconds: int
    routes: list[dict] = field(default_factory=list)  # locust's per-route rows
    server_errors: int = 0
    other_failures: int = 0
    posts: int = 0
    deliveries_lost: int = 0
    sockets_closed: int = 0
    socket_p99_ms: float = 0.0
    samples: Samples = field(default_factory=Samples)
    locust_exit: int = 0


class ConnectionCounter:
    """Counts the servers' PostgreSQL connections, on one connection of its own (not counted)."""

    def __init__(self, database: str) -> None:
        import psycopg

        from bench.crisis_servers import database_url

        self.database = database
        self.connection = psycopg.connect(database_url(), autocommit=True)

    def count(self) -> int:
        row = self.connection.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [self.database],
        ).fetchone()
        return int(row[0])

    def close(self) -> None:
        self.connection.close()


async def _sample(servers: list, counter: ConnectionCounter, samples: Samples, stop: asyncio.Event) -> None:
    while not stop.is_set():
        samples.connections.append(counter.count())  # a millisecond: no thread needed
        samples.rss.append(sum(server.rss() for server in servers))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), SAMPLE_SECONDS)


async def _post_every_second(room, outcome: Outcome, latencies: list[float], stop: asyncio.Event) -> None:
    while not stop.is_set():
        got, lost = await room.post(timeout=30)
        outcome.posts += 1
        outcome.deliveries_lost += lost
        latencies.extend(got)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 1.0)


def _locust(port: int, world, crisis_id: int, users: int, seconds: int, folder: Path) -> subprocess.Popen:
    binary = shutil.which("locust") or str(Path(sys.executable).with_name("locust"))
    env = {
        **os.environ,
        "AGORA_LOAD_HOST": world.host,
        "AGORA_LOAD_TOKEN": world.token,
        "AGORA_LOAD_CRISIS": str(crisis_id),
    }
    log = (folder / "locust.log").open("w")
    return subprocess.Popen(
        [
            binary,
            "--headless",
            "--only-summary",
            "--locustfile",
            str(ROOT / "bench" / "locustfile.py"),
            "--host",
            f"http://127.0.0.1:{port}",
            "--users",
            str(users),
            "--spawn-rate",
            str(max(1, users // 5)),
            "--run-time",
            f"{seconds}s",
            "--stop-timeout",
            "10",
            "--csv",
            str(folder / "locust"),
            "--exit-code-on-error",
            "0",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _read_locust(folder: Path, outcome: Outcome) -> None:
    stats = folder / "locust_stats.csv"
    if stats.exists():
        with stats.open() as handle:
            outcome.routes = [row for row in csv.DictReader(handle)]
    failures = folder / "locust_failures.csv"
    if failures.exists():
        with failures.open() as handle:
            for row in csv.DictReader(handle):
                count = int(row.get("Occurrences") or 0)
                error = row.get("Error", "")
                # FastHttpUser reports an HTTP error as e.g. "HTTPError('503 Server Error...')".
                if any(f"{code}" in error for code in range(500, 600)):
                    outcome.server_errors += count
                else:
                    outcome.other_failures += count


async def _run(servers: list, world, crisis_id: int, args, folder: Path, database: str) -> Outcome:
    from bench.crisis import Room, _member_options
    from bench.floor import summary_ms

    outcome = Outcome(args.sockets, args.users, args.seconds)
    urls = []
    for n in range(args.sockets):
        server = servers[n % len(servers)]
        url = f"ws://{world.host}:{server.port}/ws/crisis/{crisis_id}/"
        urls.append((url, _member_options(world, server.port, world.room_sessions[n])))
    room = Room()
    print(f"... opening {args.sockets} sockets", file=sys.stderr, flush=True)
    await room.open(urls)
    await room.quiet()
    stop = asyncio.Event()
    latencies: list[float] = []
    counter = ConnectionCounter(database)
    sampler = asyncio.ensure_future(_sample(servers, counter, outcome.samples, stop))
    poster = asyncio.ensure_future(_post_every_second(room, outcome, latencies, stop))
    print(f"... {args.users} API users for {args.seconds} s", file=sys.stderr, flush=True)
    locust = _locust(servers[0].port, world, crisis_id, args.users, args.seconds, folder)
    try:
        outcome.locust_exit = await asyncio.to_thread(locust.wait, args.seconds + 120)
    finally:
        if locust.poll() is None:
            locust.kill()
        stop.set()
        await asyncio.gather(sampler, poster, return_exceptions=True)
        counter.close()
    outcome.sockets_closed = sum(1 for ws in room.sockets if ws.close_code is not None)
    outcome.socket_p99_ms = summary_ms(latencies)[1] if latencies else float("nan")
    await room.close()
    _read_locust(folder, outcome)
    return outcome


def run(args, folder: Path) -> Outcome:
    from django.db import connections
    from django.test.utils import override_settings

    from bench import crisis_world
    from bench.crisis import raise_file_limit, use_bench_database
    from bench.crisis_servers import Servers

    # The room's declaration calls its members: into the bench's folder, not onto the console.
    quiet = override_settings(
        AGORA_SMS_BACKEND="file",
        AGORA_SMS_FILE=str(folder / "sms-bench.jsonl"),
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    quiet.enable()
    use_bench_database()
    database = connections["default"].settings_dict["NAME"]
    world = crisis_world.build(room_clients=args.sockets, councils=1)
    raise_file_limit(4 * args.sockets + 512)
    servers = Servers(folder)
    try:
        redis_url = servers.redis()
        started = [servers.daphne(redis_url, host=world.host) for _ in range(PROCESSES)]
        crisis_id = crisis_world.declare_room(world)
        connections.close_all()  # the bench's own connection is not the servers' to count
        outcome = asyncio.run(_run(started, world, crisis_id, args, folder, database))
        for server in started:
            if server.process.poll() is not None:
                raise RuntimeError(f"a server process died during the load: {servers._log(server)}")
    finally:
        servers.stop_all()
        crisis_world.close_open_crises(world)
        crisis_world.end_sessions(world)
        quiet.disable()
    return outcome


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def render(outcome: Outcome) -> str:
    lines = [
        f"Load on loopback: {outcome.users} API users (locust) and {outcome.sockets} crisis-room sockets "
        f"together for {outcome.seconds} s, {PROCESSES} daphne processes over Redis",
        "",
        f"| {'route':<34} | {'requests':>8} | {'failures':>8} | {'p50 ms':>7} | {'p95 ms':>7} | "
        f"{'p99 ms':>7} | {'req/s':>6} |",
        f"| {'-' * 34} | {'-' * 7}:| {'-' * 7}:| {'-' * 6}:| {'-' * 6}:| {'-' * 6}:| {'-' * 5}:|",
    ]
    for row in outcome.routes:
        name = row.get("Name", "")
        if row.get("Type") == "" and name == "Aggregated":
            name = "all routes"
        lines.append(
            f"| {name[:34]:<34} | {int(row['Request Count']):>8} | {int(row['Failure Count']):>8} | "
            f"{float(row['50%'] or 0):>7.0f} | {float(row['95%'] or 0):>7.0f} | "
            f"{float(row['99%'] or 0):>7.0f} | {float(row['Requests/s'] or 0):>6.1f} |"
        )
    from agora.cli import DEFAULT_DB_POOL_SIZE

    bound = PROCESSES * DEFAULT_DB_POOL_SIZE
    samples = outcome.samples
    peak = max(samples.connections, default=0)
    first, last = samples.thirds() if samples.rss else (float("nan"), float("nan"))
    growth = last / first if samples.rss else float("nan")
    requests = sum(int(r["Request Count"]) for r in outcome.routes if r.get("Name") != "Aggregated")
    lines += [
        "",
        f"5xx responses: {outcome.server_errors} of {requests} requests "
        f"(target 0: {_verdict(outcome.server_errors == 0 and requests > 0)}); "
        f"other failures (4xx, timeouts): {outcome.other_failures}",
        f"room posts: {outcome.posts}, deliveries lost: {outcome.deliveries_lost} "
        f"(target 0: {_verdict(outcome.deliveries_lost == 0 and outcome.posts > 0)}); "
        f"sockets closed during the run: {outcome.sockets_closed} of {outcome.sockets}; "
        f"post-to-every-socket p99 {outcome.socket_p99_ms:.0f} ms",
        f"PostgreSQL connections of the bench database: min {min(samples.connections, default=0)}, "
        f"max {peak} over {len(samples.connections)} samples "
        f"(bound {PROCESSES} processes x pool of {DEFAULT_DB_POOL_SIZE} = {bound}: "
        f"{_verdict(peak <= bound)})",
        f"server memory (both processes): first third {first / 2**20:.0f} MiB, last third "
        f"{last / 2**20:.0f} MiB, {growth:.2f}x "
        f"(flat <= {FLAT_LIMIT:.2f}x: {_verdict(growth <= FLAT_LIMIT)})",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="50 sockets, 5 users, 20 s")
    parser.add_argument("--sockets", type=int, default=None, help="open room sockets (default 1000)")
    parser.add_argument("--users", type=int, default=None, help="locust API users (default 20)")
    parser.add_argument("--seconds", type=int, default=None, help="duration (default 180)")
    args = parser.parse_args(argv)
    args.sockets = args.sockets or (50 if args.quick else 1000)
    args.users = args.users or (5 if args.quick else 20)
    args.seconds = args.seconds or (20 if args.quick else 180)
    if args.sockets < 2 or args.users < 1 or not 5 <= args.seconds <= 3600:
        parser.error("at least 2 sockets and 1 user, for 5 to 3600 seconds")
    if shutil.which("locust") is None and not Path(sys.executable).with_name("locust").exists():
        parser.error("the load bench needs locust: pip install -e '.[bench]'")

    from bench.run import _setup

    _setup()
    from django.conf import settings
    from django.db import connections

    if not settings.DATABASE_URL:
        parser.error("the load bench runs server processes: set DATABASE_URL")
    try:
        with tempfile.TemporaryDirectory(prefix="load-bench-") as folder:
            outcome = run(args, Path(folder))
    finally:
        connections.close_all()
    print(render(outcome))
    return 0 if outcome.server_errors == 0 and outcome.deliveries_lost == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
