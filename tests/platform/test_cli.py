"""The ``agora`` command line: argument handling, and the production path end to end
(``agora migrate`` on an empty database, ``agora manage create_municipality``, ``agora serve``)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from agora.cli import build_parser, main
from tests.platform.test_demo_boot import ROOT, agora_command, free_port
from tests.services import IN_CI


def test_a_command_is_required(capsys) -> None:
    with pytest.raises(SystemExit) as caught:
        main([])
    assert caught.value.code == 2


@pytest.mark.parametrize("port", ["0", "65536", "http"])
def test_bad_port_is_refused(port: str) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--port", port])


@pytest.mark.parametrize("workers", ["0", "65", "two"])
def test_bad_worker_count_is_refused(workers: str) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--workers", workers])


def test_one_worker_by_default_or_from_the_environment(monkeypatch) -> None:
    assert build_parser().parse_args(["serve"]).workers == 1
    monkeypatch.setenv("AGORA_SERVE_WORKERS", "3")
    assert build_parser().parse_args(["serve"]).workers == 3
    assert build_parser().parse_args(["serve", "--workers", "2"]).workers == 2


def test_several_workers_without_redis_are_one_clear_line_and_a_failure() -> None:
    """Each worker would have rooms of its own: a post on one would never reach a socket on another."""
    env = {key: value for key, value in _source_env().items() if key != "REDIS_URL"}
    result = subprocess.run(
        [*agora_command(), "serve", "--workers", "2", "--port", str(free_port())],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "agora: --workers 2 needs REDIS_URL: the worker processes share the crisis rooms through "
        "Redis (channels-redis); set REDIS_URL (or AGORA_REDIS_SENTINELS) or serve with --workers 1"
    ]


def test_several_workers_on_ipv6_are_one_clear_line_and_a_failure() -> None:
    """daphne adopts inherited IPv4 sockets only: refused before any worker starts."""
    result = subprocess.run(
        [*agora_command(), "serve", "--workers", "2", "--host", "::1", "--port", str(free_port())],
        capture_output=True,
        text=True,
        timeout=60,
        env={"REDIS_URL": "redis://127.0.0.1:1/0", **_source_env()},
    )
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1].startswith("agora: cannot listen on ::1 port ")
    assert "IPv4 only" in result.stderr and "Serving on" not in result.stdout


def test_listen_defaults_and_environment(monkeypatch) -> None:
    args = build_parser().parse_args(["demo"])
    assert (args.host, args.port) == ("127.0.0.1", 8000)
    monkeypatch.setenv("AGORA_HOST", "0.0.0.0")
    monkeypatch.setenv("AGORA_PORT", "9000")
    monkeypatch.setenv("AGORA_PROXY_HEADERS", "1")
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.proxy_headers) == ("0.0.0.0", 9000, True)
    assert build_parser().parse_args(["serve", "--port", "8123"]).port == 8123


def _get(port: int, path: str, host: str) -> tuple[int, str]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture
def scratch_database() -> str:
    """A new, empty database on the DATABASE_URL server (dropped afterwards)."""
    import psycopg

    url = os.environ.get("DATABASE_URL", "")
    if not url:
        if IN_CI:
            pytest.fail("DATABASE_URL is required under CI=true")
        pytest.skip("needs DATABASE_URL (a server to create a scratch database on)")
    base, _, _ = url.rpartition("/")
    name = f"agora_cli_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"{base}/{name}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.slow
def test_migrate_create_and_serve_on_an_empty_database(scratch_database: str, tmp_path: Path) -> None:
    dropped = {"PYTHONPATH", "DJANGO_SETTINGS_MODULE", "PYTEST_VERSION", "AGORA_TESTING"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(
        DATABASE_URL=scratch_database,
        AGORA_DATA_DIR=str(tmp_path),
        SECRET_KEY="test-" + uuid.uuid4().hex,
        PYTHONPATH=os.pathsep.join([str(ROOT / "platform"), str(ROOT)]),
    )

    def agora(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*agora_command(), *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
        )

    migrated = agora("migrate", "-v", "0")
    assert migrated.returncode == 0, migrated.stderr
    again = agora("migrate", "-v", "0")  # nothing to do the second time
    assert again.returncode == 0, again.stderr
    assert "Template schema brought up to date" not in again.stdout

    created = agora(
        "manage", "create_municipality", "Súdwest-Fryslân", "GM1900", "--unit", "Noord-Nederland",
        "--district", "Fryslân",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    assert "sudwest-fryslan.localhost" in created.stdout
    duplicate = agora(
        "manage", "create_municipality", "Sudwest Fryslan", "GM1900", "--unit", "Noord-Nederland",
        "--district", "Fryslân",
    )  # fmt: skip
    assert duplicate.returncode != 0
    assert "municipality_code_taken" in duplicate.stderr

    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [*agora_command(), "serve", "--port", str(port)],
            cwd=tmp_path,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        ready = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                ready = _get(port, "/readyz", "127.0.0.1")
                break
            except OSError:
                time.sleep(0.5)
        assert ready is not None, log.read_text()
        assert ready[0] == 200, ready
        status, body = _get(port, "/login/", "sudwest-fryslan.localhost")
        assert status == 200
        assert "Súdwest-Fryslân" in body
        output = log.read_text()
        assert "Migrating" not in output  # serve never migrates
        assert ("ONE process" in output) == (not env.get("REDIS_URL"))
    finally:
        server.send_signal(signal.SIGTERM)
        returncode = server.wait(60)
    assert returncode == 0, log.read_text()


def test_module_entry_point_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "agora.cli", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "platform"), str(ROOT)])},
    )
    assert result.returncode == 0
    for command in ("demo", "serve", "migrate", "manage"):
        assert command in result.stdout


def _source_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "platform"), str(ROOT)])}


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A free port, then held by a real listening socket for the test's duration."""
    import socket

    with socket.socket() as holder:
        holder.bind(("127.0.0.1", free_port()))
        holder.listen()
        yield holder.getsockname()[1]


def _one_clear_line(result: subprocess.CompletedProcess[str], port: int) -> None:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Stopped." not in result.stdout
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("agora:")]
    assert lines == [
        f"agora: port {port} on 127.0.0.1 is already in use (is another agora running?); "
        "stop it or choose another port with --port"
    ], result.stderr


@pytest.mark.parametrize("command", [["demo"], ["serve"], ["serve", "--workers", "2"]], ids=" ".join)
def test_a_port_in_use_is_one_clear_line_and_a_failure(command: list[str], taken_port: int) -> None:
    """Checked before migrating or loading anything: nothing else is printed, nothing is started."""
    result = subprocess.run(
        [*agora_command(), *command, "--port", str(taken_port)],
        capture_output=True,
        text=True,
        timeout=120,
        # --workers 2 asks for a REDIS_URL, never contacted before the port is found taken.
        env={"REDIS_URL": "redis://127.0.0.1:1/0", **_source_env()},
    )
    _one_clear_line(result, taken_port)
    assert result.stdout == ""
    assert "Migrating" not in result.stdout


def test_a_port_taken_between_the_check_and_daphne_is_reported_by_the_server(taken_port: int) -> None:
    """The race the early check cannot close: daphne's own listen failure ends the command the same way."""
    code = (
        "import sys\n"
        "from agora import cli\n"
        "cli._port_taken = lambda host, port: False  # as if the port was taken just after the check\n"
        f"sys.exit(cli.main(['serve', '--port', '{taken_port}']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=_source_env()
    )
    _one_clear_line(result, taken_port)
    assert "Address already in use" not in result.stderr  # daphne's own log line is not shown


def test_sigterm_just_after_serving_on_stops_the_server() -> None:
    """The signal lands after "Serving on" but before Twisted has installed its own handlers (the
    reactor's loop runs, its start-up callbacks have not): it used to be swallowed, and serve hung."""
    code = (
        "import os, signal, sys\n"
        "from twisted.internet import base\n"
        "start = base.ReactorBase._reallyStartRunning\n"
        "def late(self):\n"
        "    os.kill(os.getpid(), signal.SIGTERM)\n"
        "    start(self)\n"
        "base.ReactorBase._reallyStartRunning = late\n"
        "from agora import cli\n"
        f"sys.exit(cli.main(['serve', '--port', '{free_port()}']))\n"
    )
    try:
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=_source_env()
        )
    except subprocess.TimeoutExpired as hung:
        pytest.fail(f"serve did not stop on a SIGTERM just after start-up: {hung.stdout!r}")
    assert result.returncode == 0, result.stderr
    assert "Serving on" in result.stdout and "Stopped." in result.stdout
