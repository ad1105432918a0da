"""``python -m bench``: every bench, one after the other, into docs/performance.md.

    python -m bench                    # every bench at full size (the better part of an hour)
    python -m bench --quick            # every bench at smoke-test size (minutes)
    python -m bench --only crisis,load # some of them
    python -m bench --output FILE      # elsewhere than docs/performance.md

Each bench runs as ``python -m bench <name>`` in a process of its own (the crisis and load benches
start servers and raise file limits; one bench's state never leaks into the next), its table is
taken from its standard output as it printed it, and its progress goes on to this terminal. Every
table already sets its figures beside the baseline measured in the same run (clone against
migrate, the national read model against the per-schema loop, the sockets against the bare
``websockets`` floor, parallel against serial migration, bulk against per-row import); the report
adds what the machine was, so a figure is never read without its machine. A bench that fails is
written down as failed, with its last lines, and the others still run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "docs" / "performance.md"


@dataclass(frozen=True)
class Bench:
    name: str
    title: str
    full: tuple[str, ...]
    quick: tuple[str, ...]
    baseline: str  # what its figures are measured against, in the same run


BENCHES = (
    Bench(
        "provision",
        "Provisioning a municipality",
        ("--runs", "5"),
        ("--runs", "1"),
        "cloning the template schema against creating it and running the migrations",
    ),
    Bench(
        "migrate",
        "One new migration to every municipality",
        ("--tenants", "342"),
        ("--tenants", "6"),
        "the parallel executor against the serial one",
    ),
    Bench(
        "national",
        "The national police view",
        (),
        ("--quick",),
        "the read model against the naive per-schema loop, 50 to 342 municipalities",
    ),
    Bench(
        "import",
        "Nomination lists at city scale",
        ("--rows", "10000", "--baseline-rows", "1000"),
        ("--rows", "500", "--baseline-rows", "100"),
        "the bulk path against the per-row path",
    ),
    Bench(
        "crisis",
        "The crisis room",
        (),
        ("--quick",),
        "a bare websockets fan-out server (the floor) and the Redis and PostgreSQL round trips",
    ),
    Bench(
        "load",
        "Load: the API and crisis sockets together",
        (),
        ("--quick",),
        "the pool's connection bound and the memory of the run's first third",
    ),
)


@dataclass
class Outcome:
    bench: Bench
    argv: tuple[str, ...]
    exit_code: int
    seconds: float
    table: str
    tail: str


def machine() -> list[str]:
    """What the figures were measured on, in a few lines."""
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        lines = cpuinfo.read_text().splitlines()
        names = [line.split(":", 1)[1].strip() for line in lines if "model name" in line]
        cpu = names[0] if names else cpu
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        total = next((line for line in meminfo.read_text().splitlines() if line.startswith("MemTotal")), "")
        if total:
            memory = f"{int(total.split()[1]) / 2**20:.0f} GiB"
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return [
        f"- CPU: {cpu}, {os.cpu_count()} cores; memory {memory}",
        f"- {platform.system()} {platform.release()}; Python {platform.python_version()}",
        f"- PostgreSQL: {_version(['psql', '--version'])}; Redis: {_version(['redis-server', '--version'])}",
        f"- load average when the run began: {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f}",
    ]


def _version(argv: list[str]) -> str:
    if shutil.which(argv[0]) is None:
        return "not installed"
    done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=30)
    return (done.stdout or done.stderr).strip().splitlines()[0] if (done.stdout or done.stderr) else "?"


def run_one(bench: Bench, quick: bool) -> Outcome:
    argv = bench.quick if quick else bench.full
    print(f"== python -m bench {bench.name} {' '.join(argv)}", file=sys.stderr, flush=True)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "bench", bench.name, *argv],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=None if sys.stderr.isatty() else subprocess.PIPE,
        text=True,
        check=False,
    )
    seconds = time.monotonic() - started
    tail = "\n".join((done.stderr or "").strip().splitlines()[-15:])
    if done.stderr and not sys.stderr.isatty():
        sys.stderr.write(done.stderr)
    return Outcome(bench, argv, done.returncode, seconds, done.stdout.strip(), tail)


def render(outcomes: list[Outcome], quick: bool, started: dt.datetime, lines_of_machine: list[str]) -> str:
    size = "smoke-test sizes (`--quick`)" if quick else "full sizes"
    out = [
        "# Performance",
        "",
        f"Written by `python -m bench{' --quick' if quick else ''}` on {started:%Y-%m-%d %H:%M} UTC, "
        f"at {size}. Every figure stands beside a baseline measured in the same run on the same "
        "machine: read the ratios; absolute times move with the machine and its load.",
        "",
        "## The machine",
        "",
        *lines_of_machine,
        "",
        "| bench | measured against | took | result |",
        "| --- | --- | ---: | --- |",
    ]
    for o in outcomes:
        result = "ok" if o.exit_code == 0 else f"exit {o.exit_code}"
        link = f"[{o.bench.title}](#{o.bench.name})"
        out.append(f"| {link} | {o.bench.baseline} | {o.seconds:.0f} s | {result} |")
    for o in outcomes:
        out += [
            "",
            f'<a id="{o.bench.name}"></a>',
            f"## {o.bench.title}",
            "",
            f"`python -m bench {o.bench.name}{' ' if o.argv else ''}{' '.join(o.argv)}`, {o.seconds:.0f} s.",
            "",
        ]
        if o.table:
            out += ["```text", o.table, "```"]
        if o.exit_code != 0:
            failed = f"**Failed** (exit {o.exit_code}). Its last lines:"
            out += ["", failed, "", "```text", o.tail or "-", "```"]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="every bench at smoke-test size")
    parser.add_argument("--only", help=f"comma-separated, of: {', '.join(b.name for b in BENCHES)}")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="default docs/performance.md")
    args = parser.parse_args(argv)
    chosen = list(BENCHES)
    if args.only:
        names = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = sorted(set(names) - {b.name for b in BENCHES})
        if unknown:
            parser.error(f"no such bench: {', '.join(unknown)}")
        chosen = [b for b in BENCHES if b.name in names]
    started = dt.datetime.now(dt.UTC)
    lines_of_machine = machine()
    outcomes = [run_one(bench, args.quick) for bench in chosen]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(render(outcomes, args.quick, started, lines_of_machine))
    print(f"wrote {args.output}", file=sys.stderr)
    return 0 if all(o.exit_code == 0 for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
