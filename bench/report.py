"""``python -m bench``: every bench, one after the other, into docs/performance.md.

    python -m bench                    # every bench at full size (the better part of an hour)
    python -m bench --quick            # every bench at smoke-test size (minutes)
    python -m bench --only crisis,load # some of them; the other sections of the file stay as they were
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
import re
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
    Bench(
        "faststart",
        "agora demo: first start and restart",
        ("--runs", "3"),
        ("--runs", "1"),
        "the same checkout's very first start (it builds the prepared cluster) and its restart",
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
    started: dt.datetime
    load: float  # the 1-minute load average when it began

    def section(self) -> str:
        """Its part of the report, self-contained: a later ``--only`` run keeps or replaces it whole."""
        command = f"python -m bench {self.bench.name}{' ' if self.argv else ''}{' '.join(self.argv)}"
        out = [
            f'<a id="{self.bench.name}"></a>',
            f"<!-- bench {self.bench.name} exit={self.exit_code} seconds={self.seconds:.0f} -->",
            f"## {self.bench.title}",
            "",
            f"`{command}`, {self.started:%Y-%m-%d %H:%M} UTC, {self.seconds:.0f} s "
            f"(load average {self.load:.2f} when it began). Measured against: {self.bench.baseline}.",
            "",
        ]
        if self.table:
            out += ["```text", self.table, "```"]
        if self.exit_code != 0:
            failed = f"**Failed** (exit {self.exit_code}). Its last lines:"
            out += ["", failed, "", "```text", self.tail or "-", "```"]
        return "\n".join(out)


Sections = dict[str, tuple[str, int, int]]  # name -> (markdown, exit code, seconds)
SECTION = re.compile(
    r'<a id="(?P<name>[a-z]+)"></a>\n<!-- bench (?P=name) exit=(?P<exit>-?\d+) seconds=(?P<s>\d+) -->'
)


def kept_sections(path: Path) -> Sections:
    """The sections of an earlier report: name -> (markdown, exit code, seconds)."""
    if not path.exists():
        return {}
    text = path.read_text()
    found = list(SECTION.finditer(text))
    sections = {}
    for match, following in zip(found, [*found[1:], None], strict=False):  # the last has no follower
        body = text[match.start() : following.start() if following else len(text)].rstrip()
        sections[match["name"]] = (body, int(match["exit"]), int(match["s"]))
    return sections


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
    return [
        f"- CPU: {cpu}, {os.cpu_count()} cores; memory {memory}",
        f"- {platform.system()} {platform.release()}; Python {platform.python_version()}",
        f"- PostgreSQL: {_version(['psql', '--version'])}; Redis: {_version(['redis-server', '--version'])}",
    ]


def _version(argv: list[str]) -> str:
    if shutil.which(argv[0]) is None:
        return "not installed"
    done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=30)
    return (done.stdout or done.stderr).strip().splitlines()[0] if (done.stdout or done.stderr) else "?"


def run_one(bench: Bench, quick: bool) -> Outcome:
    argv = bench.quick if quick else bench.full
    print(f"== python -m bench {bench.name} {' '.join(argv)}", file=sys.stderr, flush=True)
    started_at, load = dt.datetime.now(dt.UTC), os.getloadavg()[0]
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
    return Outcome(bench, argv, done.returncode, seconds, done.stdout.strip(), tail, started_at, load)


def render(
    outcomes: list[Outcome], kept: dict[str, tuple[str, int, int]], lines_of_machine: list[str]
) -> str:
    """The whole report: this run's sections, and an earlier run's for the benches not run now."""
    fresh = {o.bench.name: (o.section(), o.exit_code, round(o.seconds)) for o in outcomes}
    sections = [(b, fresh.get(b.name) or kept.get(b.name)) for b in BENCHES]
    out = [
        "# Performance",
        "",
        "Written by `python -m bench` (bench/report.py); each section says when it ran, at what size and "
        "under what load. Every figure stands beside a baseline measured in the same run on the same "
        "machine: read the ratios; absolute times move with the machine and its load.",
        "",
        "## The machine",
        "",
        *lines_of_machine,
        "",
        "| bench | measured against | took | result |",
        "| --- | --- | ---: | --- |",
    ]
    for bench, found in sections:
        if found is None:
            out.append(f"| {bench.title} | {bench.baseline} | | not run |")
            continue
        _, exit_code, seconds = found
        result = "ok" if exit_code == 0 else f"exit {exit_code}"
        out.append(f"| [{bench.title}](#{bench.name}) | {bench.baseline} | {seconds} s | {result} |")
    for _, found in sections:
        if found is not None:
            out += ["", found[0]]
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
    lines_of_machine = machine()
    kept = kept_sections(args.output)
    outcomes = [run_one(bench, args.quick) for bench in chosen]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(render(outcomes, kept, lines_of_machine))
    print(f"wrote {args.output}", file=sys.stderr)
    return 0 if all(o.exit_code == 0 for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
