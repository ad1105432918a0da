"""``agora demo``'s first start against its restart, in one run (issue 14: < 15 s and < 3 s).

    python -m bench faststart                          # this checkout's agora, 1 round
    python -m bench faststart --runs 3                 # interleaved rounds
    python -m bench faststart --baseline /venv/bin/agora   # another install's agora beside this one

Each round starts ``agora demo`` on the embedded PostgreSQL (no DATABASE_URL, no REDIS_URL) in a
fresh data folder, polls ``/readyz`` every 0.1 s, stops it with SIGTERM, starts it again on the same
folder and polls again. Three cases per round, interleaved (their order turned each round) so the
machine's load hits them alike:

- ``cold``: a fresh data folder and no prepared cluster yet (the very first run after an install,
  which builds the prepared cluster; agora.prepared_cluster);
- ``first``: a fresh data folder once the prepared cluster exists (every later first start);
- ``baseline`` (with ``--baseline``): the other install's agora, e.g. the code before this change.

Each case's prepared-cluster folder (AGORA_CLUSTER_CACHE) is its own temporary one.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 240.0
TARGET_FIRST, TARGET_RESTART = 15.0, 3.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def ready(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/readyz", headers={"Host": "127.0.0.1"})
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def start_until_ready(agora: list[str], data_dir: Path, cache: Path, log: Path) -> float:
    """Seconds from starting ``agora demo`` to its first 200 on /readyz; then SIGTERM and wait."""
    dropped = {"DATABASE_URL", "REDIS_URL", "PYTHONPATH", "PYTEST_VERSION", "AGORA_TESTING"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(AGORA_DATA_DIR=str(data_dir), AGORA_CLUSTER_CACHE=str(cache), PYTHONUNBUFFERED="1")
    port = free_port()
    started = time.monotonic()
    with log.open("a") as out:
        process = subprocess.Popen(
            [*agora, "demo", "--port", str(port)], cwd=data_dir, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        while not ready(port):
            if process.poll() is not None:
                tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
                raise RuntimeError(f"agora demo exited with {process.returncode}; its log ends:\n{tail}")
            if time.monotonic() - started > TIMEOUT:
                tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
                raise RuntimeError(f"agora demo not ready after {TIMEOUT:.0f} s; its log ends:\n{tail}")
            time.sleep(0.1)
        return time.monotonic() - started
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(60)


def one_case(agora: list[str], cache: Path | None, work: Path, name: str) -> tuple[float, float]:
    """(first start, restart) seconds on a fresh data folder; ``cache`` None: a fresh cache too."""
    data_dir = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=work))
    data_dir.chmod(0o755)  # as root, pgserver's postgres user must traverse it
    fresh_cache = cache is None
    cache = cache or Path(tempfile.mkdtemp(prefix=f"{name}-cache-", dir=work))
    log = work / f"{data_dir.name}.log"
    try:
        first = start_until_ready(agora, data_dir, cache, log)
        again = start_until_ready(agora, data_dir, cache, log)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
        if fresh_cache:
            shutil.rmtree(cache, ignore_errors=True)
    return first, again


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench faststart", description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=1, help="interleaved rounds (default 1)")
    parser.add_argument("--baseline", default="", help="another install's agora script, measured beside")
    args = parser.parse_args(argv)

    here = Path(sys.executable).with_name("agora")
    agora = [str(here)] if here.exists() else [sys.executable, "-m", "agora.cli"]
    work = Path(tempfile.mkdtemp(prefix="agora-faststart-"))
    work.chmod(0o755)
    prepared = work / "prepared"
    prepared.mkdir()
    times: dict[str, list[tuple[float, float]]] = {"cold": [], "first": []}
    if args.baseline:
        times["baseline"] = []
    loads = []
    try:
        one_case(agora, prepared, work, "prepare")  # the prepared cluster the `first` case starts from
        for run in range(args.runs):
            loads.append(os.getloadavg()[0])
            cases = [name for name in times if name != "first"] + ["first"]
            for name in cases[run % len(cases) :] + cases[: run % len(cases)]:  # a new order each round
                if name == "baseline":
                    times[name].append(one_case([args.baseline], None, work, name))
                else:
                    times[name].append(one_case(agora, prepared if name == "first" else None, work, name))
            print(
                f"round {run + 1}/{args.runs}: "
                + ", ".join(f"{k} {v[-1][0]:.1f}/{v[-1][1]:.1f} s" for k, v in times.items()),
                file=sys.stderr,
                flush=True,
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(
        f"agora demo to /readyz 200, median of {args.runs} interleaved round(s); "
        f"load average {min(loads):.1f}-{max(loads):.1f}"
    )
    print(f"{'case':<10} {'first start':>12} {'restart':>9}")
    medians = {
        k: (statistics.median(a for a, _ in v), statistics.median(b for _, b in v)) for k, v in times.items()
    }
    for name, (first, again) in medians.items():
        print(f"{name:<10} {first:>10.1f} s {again:>7.2f} s")
    if "baseline" in medians:
        base = medians["baseline"][0]
        print(
            f"first start: baseline/first {base / medians['first'][0]:.2f}x, "
            f"baseline/cold {base / medians['cold'][0]:.2f}x"
        )
    print(f"target: first start < {TARGET_FIRST:.0f} s, restart < {TARGET_RESTART:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
