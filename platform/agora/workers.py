"""``agora serve --workers N``: one listening socket, N daphne processes accepting on it.

The pre-fork model of gunicorn and uvicorn (docs/adr/0022-serve-workers.md): this supervisor
binds the socket once and starts N ``agora serve --fd`` worker processes that inherit it; the
kernel hands each new connection to whichever worker accepts first. There is no proxy of ours in
between: a worker that dies takes only the connections it had accepted, and the others go on
accepting from the same queue while the supervisor starts its replacement.

The workers share the crisis rooms through channels-redis (so N>1 needs ``REDIS_URL``), their
Prometheus samples through ``PROMETHEUS_MULTIPROC_DIR`` (a private folder made here when it is
unset), and PostgreSQL through a pool each (``AGORA_DB_POOL_SIZE`` per worker). The crisis
escalation runner runs in worker 1 only: it is safe in several (an advisory lock per
municipality), but one copy is enough.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

logger = logging.getLogger("agora.serve")

BACKLOG = 2048  # connections the kernel queues for the workers (capped by net.core.somaxconn)
STOP_GRACE_SECONDS = 30.0  # a worker still running this long after SIGTERM is killed
FIRST_RESTART_DELAY = 0.5  # seconds; doubled at every death in a row, up to the maximum
MAX_RESTART_DELAY = 30.0
STEADY_SECONDS = 30.0  # a worker serving this long resets its slot's back-off
_PR_SET_PDEATHSIG = 1  # linux/prctl.h
# Looked up here, in the supervisor: the forked child only calls it (no loading after fork).
_prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform.startswith("linux") else None


def listening_socket(host: str, port: int, *, backlog: int = BACKLOG) -> socket.socket:
    """A TCP socket listening on ``host:port`` (port 0: a free one), inheritable by children.

    Bound the way Twisted binds (``SO_REUSEADDR``: a port left in TIME_WAIT by the last run is
    free); never ``SO_REUSEPORT``, so a second ``agora serve`` on the same port is refused.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # daphne's --fd adopts IPv4 only
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(backlog)
    except BaseException:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def serve_command(fd: int, *options: str) -> list[str]:
    """The command line of one ``agora serve`` process on the inherited listening socket ``fd``.

    ``--workers 1`` is explicit: a worker must never read ``AGORA_SERVE_WORKERS`` and become a
    supervisor itself.
    """
    return [sys.executable, "-m", "agora.cli", "serve", "--workers", "1", "--fd", str(fd), *options]


def source_pythonpath() -> str:
    """``PYTHONPATH`` under which a child imports the same ``agora`` as this process.

    An installed package needs nothing; a source checkout run as ``python platform/agora/cli.py``
    has ``platform/`` and the repository root on ``sys.path`` only in this process.
    """
    package = Path(__file__).resolve().parent
    entries = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    if package.parent.name == "platform":
        for folder in (str(package.parent), str(package.parent.parent)):
            if folder not in entries:
                entries.append(folder)
    return os.pathsep.join(entries)


@dataclass
class Worker:
    """One slot's current process, and whether it has said it serves."""

    slot: int
    process: subprocess.Popen
    ready_pipe: int | None  # read end of the worker's readiness pipe, until it reports
    started: float
    ready_at: float | None = None


@dataclass
class Supervisor:
    """Starts, watches, restarts and stops the N workers on one socket."""

    sock: socket.socket
    count: int
    options: Sequence[str] = ()
    env: dict[str, str] = field(default_factory=dict)
    metrics_dir: str = ""
    workers: dict[int, Worker] = field(default_factory=dict)
    deaths_in_a_row: dict[int, int] = field(default_factory=dict)
    restart_at: dict[int, float] = field(default_factory=dict)
    stop_signal: int | None = None

    def run(self, ready_line: str) -> int:
        """Serve until SIGINT/SIGTERM; 0 after a stop, 1 when a worker fails its first start.

        ``ready_line`` is printed once, when every worker has said it serves; ``{pids}`` in it
        becomes the workers' process ids.
        """
        self._catch_stop_signals()
        for slot in range(1, self.count + 1):
            self._start(slot)
        announced = False
        while self.stop_signal is None:
            self._read_ready_pipes(timeout=0.2)
            failed = self._reap()
            if failed is not None and not announced:
                self._stop_all()
                print(
                    f"agora: worker {failed.slot} exited before serving "
                    f"({_exit_status(failed.process.returncode)}); its output is above",
                    file=sys.stderr,
                    flush=True,
                )
                return 1
            self._restart_due()
            if not announced and self._all_ready():
                pids = ", ".join(str(self.workers[slot].process.pid) for slot in sorted(self.workers))
                print(ready_line.format(pids=pids), flush=True)
                announced = True
        self._stop_all()
        print("Stopped.", flush=True)
        return 0

    def _catch_stop_signals(self) -> None:
        def stop(signum: int, frame: object) -> None:
            self.stop_signal = signum

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)

    def _start(self, slot: int) -> Worker:
        read_end, write_end = os.pipe()
        env = dict(self.env)
        if slot > 1:
            env["AGORA_ESCALATION_INTERVAL"] = "0"  # one runner per host is enough (module docstring)
        parent = os.getpid()
        try:
            process = subprocess.Popen(
                serve_command(self.sock.fileno(), "--ready-fd", str(write_end), *self.options),
                env=env,
                pass_fds=(self.sock.fileno(), write_end),
                preexec_fn=lambda: _die_with_parent(parent),
            )
        finally:
            os.close(write_end)  # the worker holds its own copy: EOF here means it has gone
        worker = Worker(slot, process, read_end, time.monotonic())
        self.workers[slot] = worker
        return worker

    def _read_ready_pipes(self, timeout: float) -> None:
        waiting = {w.ready_pipe: w for w in self.workers.values() if w.ready_pipe is not None}
        if not waiting:
            time.sleep(timeout)
            return
        readable, _, _ = select.select(list(waiting), [], [], timeout)
        for fd in readable:
            worker = waiting[fd]
            said = os.read(fd, 16)
            os.close(fd)
            worker.ready_pipe = None
            if said:
                worker.ready_at = time.monotonic()
                if self.restart_at.get(worker.slot) is None and self.deaths_in_a_row.get(worker.slot):
                    logger.info("worker %d serving again (pid %d)", worker.slot, worker.process.pid)

    def _all_ready(self) -> bool:
        return len(self.workers) == self.count and all(w.ready_at is not None for w in self.workers.values())

    def _reap(self) -> Worker | None:
        """Note every worker that has exited and schedule its restart; the first that never served."""
        never_served = None
        now = time.monotonic()
        for slot, worker in list(self.workers.items()):
            if worker.process.poll() is None:
                if worker.ready_at is not None and now - worker.ready_at >= STEADY_SECONDS:
                    self.deaths_in_a_row.pop(slot, None)
                continue
            del self.workers[slot]
            self._forget(worker)
            if worker.ready_at is None and never_served is None:
                never_served = worker
            deaths = self.deaths_in_a_row.get(slot, 0) + 1
            self.deaths_in_a_row[slot] = deaths
            delay = min(FIRST_RESTART_DELAY * 2 ** (deaths - 1), MAX_RESTART_DELAY)
            self.restart_at[slot] = now + delay
            logger.warning(
                "worker %d (pid %d) died (%s); restarting it in %.1f s",
                slot,
                worker.process.pid,
                _exit_status(worker.process.returncode),
                delay,
            )
        return never_served

    def _restart_due(self) -> None:
        now = time.monotonic()
        for slot, due in list(self.restart_at.items()):
            if due <= now:
                del self.restart_at[slot]
                worker = self._start(slot)
                logger.info("worker %d restarted (pid %d)", slot, worker.process.pid)

    def _forget(self, worker: Worker) -> None:
        """A dead worker's pipe closed, its live gauges dropped (it could not do so itself)."""
        if worker.ready_pipe is not None:
            os.close(worker.ready_pipe)
            worker.ready_pipe = None
        if self.metrics_dir:
            from prometheus_client import multiprocess

            multiprocess.mark_process_dead(worker.process.pid, self.metrics_dir)

    def _stop_all(self) -> None:
        """SIGTERM to every worker (daphne closes its sockets and exits); SIGKILL after the grace."""
        for worker in self.workers.values():
            with contextlib.suppress(ProcessLookupError):
                worker.process.terminate()
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for worker in self.workers.values():
            try:
                worker.process.wait(max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                logger.warning("worker %d (pid %d) ignored SIGTERM; killed", worker.slot, worker.process.pid)
                worker.process.kill()
                worker.process.wait()
            self._forget(worker)
        self.workers.clear()
        self.restart_at.clear()


def _exit_status(returncode: int | None) -> str:
    if returncode is not None and returncode < 0:
        return f"killed by {signal.Signals(-returncode).name}"
    return f"exit status {returncode}"


def _die_with_parent(parent: int) -> None:
    """In the forked child: SIGTERM when the supervisor dies, even by SIGKILL (Linux's prctl).

    Without it a killed supervisor would leave its workers serving on the socket, unsupervised.
    """
    if _prctl is not None:
        _prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent:  # the supervisor died before the prctl took effect
        os._exit(1)


def supervise(sock: socket.socket, count: int, *, options: Sequence[str] = (), ready_line: str) -> int:
    """Run ``count`` workers on ``sock`` until SIGINT/SIGTERM (see the module docstring)."""
    env = {**os.environ, "PYTHONPATH": source_pythonpath()}
    private_metrics_dir = None
    if not env.get("PROMETHEUS_MULTIPROC_DIR"):
        private_metrics_dir = tempfile.mkdtemp(prefix="agora-metrics-")
        env["PROMETHEUS_MULTIPROC_DIR"] = private_metrics_dir
    supervisor = Supervisor(
        sock=sock, count=count, options=options, env=env, metrics_dir=env["PROMETHEUS_MULTIPROC_DIR"]
    )
    try:
        return supervisor.run(ready_line)
    finally:
        supervisor._stop_all()
        sock.close()
        if private_metrics_dir:
            shutil.rmtree(private_metrics_dir, ignore_errors=True)
