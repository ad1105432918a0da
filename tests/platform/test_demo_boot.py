"""``agora demo`` boots on a bare machine and stops cleanly.

The real thing, as a user runs it: a subprocess on the EMBEDDED PostgreSQL (no DATABASE_URL, no
REDIS_URL) in a fresh data folder. It must migrate, load the demo, serve HTTP and WebSockets,
and on SIGTERM exit normally, taking the embedded PostgreSQL down with it.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from tests.ports import free_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
BOOT_TIMEOUT = 240  # initdb and every migration on a cold embedded server
DEMO_PASSWORD = "bondgenoten-demo"


def agora_command() -> list[str]:
    """The installed console script next to this interpreter, else the module (source checkout)."""
    script = Path(sys.executable).with_name("agora")
    return [str(script)] if script.exists() else [sys.executable, "-m", "agora.cli"]


def postgres_processes(data_dir: Path) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["name", "cmdline"]):
        try:
            cmdline = " ".join(process.info["cmdline"] or [])
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        if str(data_dir) in cmdline and "postgres" in (process.info["name"] or "") + cmdline:
            found.append(process)
    return found


class Demo:
    def __init__(
        self, port: int, data_dir: Path, process: subprocess.Popen[str], log: Path, clusters: Path
    ) -> None:
        self.port, self.data_dir, self.process, self.log = port, data_dir, process, log
        self.clusters = clusters  # the prepared clusters' folder (AGORA_CLUSTER_CACHE) of this test

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def request(
        self, method: str, path: str, host: str, body: str | None = None, headers: dict | None = None
    ) -> tuple[int, dict[str, str], str, list[str]]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers={"Host": host, **(headers or {})})
            response = connection.getresponse()
            cookies = response.headers.get_all("Set-Cookie") or []
            return response.status, dict(response.getheaders()), response.read().decode(), cookies
        finally:
            connection.close()


def start_demo(data_dir: Path, port: int, log: Path, clusters: Path) -> Demo:
    """``agora demo`` on ``data_dir``, as a user runs it, its output in ``log``.

    ``clusters`` is where it keeps (and finds) a prepared cluster: the test's own, never the
    user's cache, so a fresh data folder here migrates unless the test prepared one."""
    # The demo runs as a user would run it: no test-mode settings (PYTEST_VERSION marks a test run).
    dropped = {"DATABASE_URL", "REDIS_URL", "PYTHONPATH", "PYTEST_VERSION", "AGORA_TESTING"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(AGORA_DATA_DIR=str(data_dir), AGORA_CLUSTER_CACHE=str(clusters), PYTHONUNBUFFERED="1")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "platform"), str(ROOT)])
    with log.open("w") as out:
        process = subprocess.Popen(
            [*agora_command(), "demo", "--port", str(port)],
            cwd=data_dir,  # a different working directory than the checkout
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
            # A terminal's Ctrl-C: SIGINT at its default even if this runner was started in the
            # background (where shells ignore SIGINT, and Twisted then leaves it ignored too).
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
    return Demo(port, data_dir, process, log, clusters)


@pytest.fixture
def demo() -> Iterator[Demo]:
    # Not under pytest's 0700 tmp folder: as root, pgserver runs postgres as the `pgserver` user,
    # which must be able to traverse the data folder's parents.
    data_dir = Path(tempfile.mkdtemp(prefix="agora-demo-boot-"))
    data_dir.chmod(0o755)
    log = data_dir.parent / f"{data_dir.name}.log"
    clusters = data_dir.parent / f"{data_dir.name}-clusters"
    running = start_demo(data_dir, free_port(), log, clusters)
    try:
        yield running
    finally:
        if running.process.poll() is None:
            running.process.kill()
            running.process.wait(30)
        for leftover in postgres_processes(data_dir):
            leftover.kill()
        shutil.rmtree(data_dir, ignore_errors=True)
        shutil.rmtree(clusters, ignore_errors=True)
        log.unlink(missing_ok=True)


def wait_until_ready(demo: Demo) -> dict:
    deadline = time.monotonic() + BOOT_TIMEOUT
    while time.monotonic() < deadline:
        if demo.process.poll() is not None:
            pytest.fail(f"agora demo exited with {demo.process.returncode}:\n{demo.output()}")
        try:
            status, _, body, _ = demo.request("GET", "/readyz", "127.0.0.1")
            if status == 200:
                return json.loads(body)
        except OSError:
            pass
        time.sleep(1)
    pytest.fail(f"agora demo not ready after {BOOT_TIMEOUT}s:\n{demo.output()}")


def cookie_value(cookies: list[str], name: str) -> str:
    for cookie in cookies:
        match = re.match(rf"{name}=([^;]+)", cookie)
        if match:
            return match.group(1)
    raise AssertionError(f"no {name} cookie in {cookies}")


def websocket_hello(port: int, host: str, session: str) -> dict:
    """A minimal RFC 6455 client: handshake, then read the consumer's first (text) frame."""
    key = base64.b64encode(os.urandom(16)).decode()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(
            (
                "GET /ws/events/ HTTP/1.1\r\n"
                f"Host: {host}\r\nOrigin: http://{host}\r\nCookie: sessionid={session}\r\n"
                "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        buffer = b""
        while b"\r\n\r\n" not in buffer:
            chunk = sock.recv(4096)
            assert chunk, buffer
            buffer += chunk
        head, _, buffer = buffer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 101"), head

        def read(n: int) -> bytes:
            nonlocal buffer
            while len(buffer) < n:
                chunk = sock.recv(4096)
                assert chunk, "socket closed"
                buffer += chunk
            data, buffer = buffer[:n], buffer[n:]
            return data

        first, second = read(2)
        assert first & 0x0F == 0x1, f"not a text frame: opcode {first & 0x0F}"
        length = second & 0x7F
        if length == 126:
            length = int.from_bytes(read(2), "big")
        elif length == 127:
            length = int.from_bytes(read(8), "big")
        return json.loads(read(length))


def test_demo_boots_serves_and_stops_cleanly(demo: Demo) -> None:
    ready = wait_until_ready(demo)
    assert ready == {"status": "ok", "database": "ok", "channel_layer": "ok"}

    output = demo.output()
    assert "in-memory channel layer" in output and "ONE process" in output
    assert DEMO_PASSWORD in output
    for slug in ("utrecht", "amersfoort", "leusden", "soest", "arnhem", "enschede"):
        assert f"http://{slug}.localhost:{demo.port}/" in output
    assert "ambtenaar.utrecht" in output and "wijkagent.utrecht" in output
    # The national view: its address, the operator, and each analyst with level and district.
    assert f"http://localhost:{demo.port}/national/" in output
    assert "beheerder" in output
    assert re.search(r"analist\.samenvatting .*summary.*Utrecht-Stad", output)
    assert re.search(r"analist\.contacten .*contacts.*Gelderland-Midden", output)

    # A tenant page, by host.
    status, _, body, cookies = demo.request("GET", "/login/", "utrecht.localhost")
    assert status == 200
    assert "Utrecht" in body
    csrf = cookie_value(cookies, "csrftoken")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)

    # A real login with the printed demo password.
    form = f"username=ambtenaar.utrecht&password={DEMO_PASSWORD}&csrfmiddlewaretoken={token}"
    status, headers, _, cookies = demo.request(
        "POST",
        "/login/",
        "utrecht.localhost",
        body=form,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf}"},
    )
    assert status == 302, headers
    session = cookie_value(cookies, "sessionid")
    status, _, body, _ = demo.request(
        "GET", "/", "utrecht.localhost", headers={"Cookie": f"sessionid={session}"}
    )
    assert status == 200
    # The same session on Amersfoort's host: no membership there.
    status, _, _, _ = demo.request(
        "GET", "/", "amersfoort.localhost", headers={"Cookie": f"sessionid={session}"}
    )
    assert status == 403

    # WebSockets are served by the same process.
    hello = websocket_hello(demo.port, f"utrecht.localhost:{demo.port}", session)
    assert hello == {"event": "hello", "payload": {"municipality": "utrecht", "role": "official"}}

    stop_and_check_nothing_is_left(demo, signal.SIGTERM)


def test_ctrl_c_stops_the_demo_and_its_database(demo: Demo) -> None:
    wait_until_ready(demo)
    assert "Migrating" in demo.output()  # a fresh data folder
    stop_and_check_nothing_is_left(demo, signal.SIGINT)

    # Restarted on the same data, with nothing new to migrate: not a word about migrating.
    restarted = start_demo(demo.data_dir, demo.port, demo.log, demo.clusters)
    demo.process = restarted.process  # the fixture cleans up whichever runs last
    wait_until_ready(restarted)
    assert "Migrating" not in restarted.output(), restarted.output()
    stop_and_check_nothing_is_left(restarted, signal.SIGTERM)


def banner(output: str) -> list[str]:
    """What the demo printed between loading and serving (addresses, logins, keys), log lines left out."""
    printed = output[output.index("Municipalities:") : output.index("Serving on")]
    return [line for line in printed.splitlines() if not re.match(r"\d{4}-\d\d-\d\d ", line)]


def test_a_fresh_data_folder_starts_from_the_prepared_cluster(demo: Demo) -> None:
    """The first start keeps its migrated cluster; the next fresh folder copies it, migrates nothing,
    and gets the same demo (parallel load, same banner, a login that works)."""
    wait_until_ready(demo)
    first = demo.output()
    assert "Migrating" in first and "Kept the migrated cluster" in first, first
    assert [p.name for p in demo.clusters.iterdir()] != []
    stop_and_check_nothing_is_left(demo, signal.SIGTERM)

    data_dir = Path(tempfile.mkdtemp(prefix="agora-demo-boot-"))
    data_dir.chmod(0o755)
    second = start_demo(data_dir, demo.port, data_dir.parent / f"{data_dir.name}.log", demo.clusters)
    try:
        wait_until_ready(second)
        output = second.output()
        assert "Migrating" not in output and "Kept" not in output, output
        assert banner(output) == banner(first)
        assert "ambtenaar.enschede" in output and "Crisis rooms:" in output
        status, _, body, cookies = second.request("GET", "/login/", "leusden.localhost")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
        status, headers, _, _ = second.request(
            "POST",
            "/login/",
            "leusden.localhost",
            body=f"username=ambtenaar.leusden&password={DEMO_PASSWORD}&csrfmiddlewaretoken={token}",
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={cookie_value(cookies, 'csrftoken')}",
            },
        )
        assert status == 302, headers
        stop_and_check_nothing_is_left(second, signal.SIGTERM)
    finally:
        if second.process.poll() is None:
            second.process.kill()
            second.process.wait(30)
        for leftover in postgres_processes(data_dir):
            leftover.kill()
        shutil.rmtree(data_dir, ignore_errors=True)
        second.log.unlink(missing_ok=True)


def stop_and_check_nothing_is_left(demo: Demo, signum: int) -> None:
    assert postgres_processes(demo.data_dir), "the embedded PostgreSQL should be running now"

    demo.process.send_signal(signum)
    try:
        returncode = demo.process.wait(60)
    except subprocess.TimeoutExpired:
        pytest.fail(f"agora demo did not stop within 60 s of {signum!r}:\n{demo.output()}")
    assert returncode == 0, demo.output()
    assert "Stopped." in demo.output()

    deadline = time.monotonic() + 15
    while postgres_processes(demo.data_dir) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert postgres_processes(demo.data_dir) == [], "the embedded PostgreSQL outlived agora demo"
    assert not (demo.data_dir / "pgdata" / "postmaster.pid").exists()


@pytest.mark.slow
def test_sigterm_before_serving_stops_the_embedded_database_too(demo: Demo) -> None:
    """SIGTERM while the demo still migrates or loads data (before daphne has its own handlers)."""
    deadline = time.monotonic() + BOOT_TIMEOUT
    while "Migrating" not in demo.output() or not postgres_processes(demo.data_dir):
        if demo.process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"agora demo did not start migrating:\n{demo.output()}")
        time.sleep(0.2)
    assert "Serving on" not in demo.output()
    demo.process.send_signal(signal.SIGTERM)
    demo.process.wait(60)
    deadline = time.monotonic() + 30
    while postgres_processes(demo.data_dir) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert postgres_processes(demo.data_dir) == [], demo.output()
