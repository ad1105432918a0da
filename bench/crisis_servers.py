"""The processes of the crisis bench: daphne, the bare fan-out floor, a Redis of its own.

Every server listens on a socket the bench binds itself to port 0 and hands down (``--fd``), so
no port is ever guessed or raced for; the Redis of the two-process runs is a ``redis-server`` of
the bench's own on a Unix socket in its temporary folder (the shared Redis is never touched).
Each process is stopped through its own handle.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from agora.workers import listening_socket, serve_command

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen

    def rss(self) -> int:
        """Resident memory of the process in bytes."""
        import psutil

        return psutil.Process(self.process.pid).memory_info().rss


def database_url() -> str:
    """The URL of the database the bench process uses, for its server processes."""
    from django.db import connection

    from agora.database import url_of

    return url_of(connection.settings_dict)


class Servers:
    """Starts and stops the bench's processes; one folder for their logs and the SMS file."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.running: list[subprocess.Popen] = []
        self.sms_file = folder / "sms.jsonl"

    def _env(self, redis_url: str) -> dict[str, str]:
        from django.conf import settings

        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "agora.settings",
            "DATABASE_URL": database_url(),
            "REDIS_URL": redis_url,
            "SECRET_KEY": settings.SECRET_KEY,
            "AGORA_BASE_DOMAIN": settings.AGORA_BASE_DOMAIN,
            # One writer posts as fast as the sockets deliver; idle clients listen for minutes.
            "AGORA_ROOM_RATE_BURST": "1000000",
            "AGORA_ROOM_IDLE_SECONDS": "3600",
            "AGORA_SMS_BACKEND": "file",
            "AGORA_SMS_FILE": str(self.sms_file),
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": f"{ROOT / 'platform'}{os.pathsep}{ROOT}",
        }

    def _start(self, name: str, command: Callable[[int], list[str]], env: dict[str, str]) -> Server:
        """``command(fd)`` on a socket bound here, as ``agora serve --workers N`` binds its own."""
        sock = listening_socket("127.0.0.1", 0)
        port = sock.getsockname()[1]
        log = self.folder / f"{name}-{port}.log"
        with log.open("w") as out:
            process = subprocess.Popen(
                command(sock.fileno()),
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                pass_fds=(sock.fileno(),),
            )
        sock.close()  # the child holds its own copy
        self.running.append(process)
        return Server(name, port, process)

    def daphne(self, redis_url: str = "", *, host: str) -> Server:
        server = self._start(
            "daphne",
            # Exactly what production runs (`agora serve`, as each of --workers), on the bench's socket.
            serve_command,
            {**self._env(redis_url), "AGORA_ESCALATION_INTERVAL": "0"},
        )
        self._wait_http(server, host)
        return server

    def floor(self, *, durable: bool = False) -> Server:
        """The bare fan-out server; ``durable``: storing each post in the bench database first."""
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        argv = [sys.executable, "-m", "bench.floor"]
        if durable:
            argv += ["--database", database_url()]
        server = self._start(
            "durable floor" if durable else "floor", lambda fd: [*argv, "--fd", str(fd)], env
        )
        self._wait_tcp(server)
        return server

    def redis(self) -> str:
        """A ``redis-server`` of the bench's own on a Unix socket; its URL."""
        binary = shutil.which("redis-server")
        if binary is None:
            raise SystemExit("the two-process runs need redis-server (apt-get install redis-server)")
        path = self.folder / f"redis-{len(self.running)}.sock"
        log = self.folder / f"redis-{len(self.running)}.log"
        with log.open("w") as out:
            process = subprocess.Popen(
                [binary, "--port", "0", "--unixsocket", str(path), "--save", "", "--appendonly", "no"],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.running.append(process)
        deadline = time.monotonic() + 20
        while not path.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start: {log.read_text()[-2000:]}")
            time.sleep(0.05)
        return f"unix://{path}"

    def _wait_http(self, server: Server, host: str, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise RuntimeError(f"{server.name} exited: {self._log(server)}")
            request = urllib.request.Request(
                f"http://127.0.0.1:{server.port}/healthz", headers={"Host": host}
            )
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        raise RuntimeError(f"{server.name} never answered: {self._log(server)}")

    def _wait_tcp(self, server: Server, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise RuntimeError(f"{server.name} exited: {self._log(server)}")
            try:
                with socket.create_connection(("127.0.0.1", server.port), timeout=1) as probe:
                    probe.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    if probe.recv(16):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"{server.name} never answered: {self._log(server)}")

    def _log(self, server: Server) -> str:
        logs = sorted(self.folder.glob(f"{server.name}-{server.port}.log"))
        return logs[0].read_text()[-3000:] if logs else ""

    @staticmethod
    def stop(process: subprocess.Popen) -> None:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)

    def stop_all(self) -> None:
        for process in reversed(self.running):
            self.stop(process)
        self.running.clear()
