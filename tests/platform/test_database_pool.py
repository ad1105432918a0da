"""`agora serve` holds its PostgreSQL connections in a bounded pool, and a database away is a 503.

Over a real `agora serve` process on a loopback port: under ASGI every request's sync code runs on
a thread of its own, so without the pool persistent connections piled up one per thread (the load
bench saw 53 for 10 API users). Here a pool of 3 serves 40 concurrent requests with at most 3
connections, every one answered; and with the database unreachable the API and the pages answer
503 with the stable code ``database_unavailable`` and ``Retry-After``, not a 500.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from agora.database import url_of
from tests.realtime.test_crisis_daphne import Processes, free_port, wait_for_port

pytestmark = [
    pytest.mark.django_db(transaction=True, available_apps=list(settings.INSTALLED_APPS)),
    pytest.mark.slow,
]
ROOT = Path(__file__).resolve().parents[2]


def _serve(tmp_path: Path, database_url: str, **extra: str) -> tuple[int, subprocess.Popen]:
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "agora.settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": "",
        "SECRET_KEY": settings.SECRET_KEY,
        "AGORA_ESCALATION_INTERVAL": "0",
        "PYTHONPATH": f"{ROOT / 'platform'}{os.pathsep}{ROOT}",
        **extra,
    }
    log = tmp_path / f"serve-{port}.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "agora.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    wait_for_port(port, process, log)
    return port, process


def _get(port: int, path: str, host: str = "localhost", accept: str = "") -> tuple[int, dict, bytes]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": host})
    if accept:
        request.add_header("Accept", accept)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _test_database_url() -> str:
    return url_of(connection.settings_dict)


def test_a_pool_of_three_serves_forty_concurrent_requests_on_three_connections(tmp_path) -> None:
    port, process = _serve(tmp_path, _test_database_url(), AGORA_DB_POOL_SIZE="3")
    name = connection.settings_dict["NAME"]
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        with psycopg.connect(_test_database_url(), autocommit=True) as own:
            while not done.is_set():
                (count,) = own.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()"
                    " AND backend_type = 'client backend'",
                    [name],
                ).fetchone()
                peak = max(peak, count)
                time.sleep(0.02)

    try:
        connection.close()  # the test's own connection is not the server's to count
        sampler = threading.Thread(target=sample)
        sampler.start()
        try:
            with ThreadPoolExecutor(max_workers=40) as pool:
                answers = list(pool.map(lambda _: _get(port, "/readyz")[0], range(40)))
        finally:
            done.set()
            sampler.join()
    finally:
        Processes.stop(process)
    assert answers == [200] * 40
    assert 1 <= peak <= 3, f"{peak} connections for a pool of 3"


def test_the_database_away_is_a_503_with_retry_after_not_a_500(tmp_path) -> None:
    nobody = free_port()  # nothing listens there
    port, process = _serve(
        tmp_path,
        f"postgres://postgres@127.0.0.1:{nobody}/agora",
        AGORA_DB_POOL_SIZE="2",
        AGORA_DB_POOL_TIMEOUT="1",
    )
    try:
        status, headers, body = _get(port, "/api/v1/crises/", host="utrecht.localhost")
        page_status, page_headers, page = _get(port, "/", host="utrecht.localhost", accept="text/html")
    finally:
        Processes.stop(process)
    assert status == 503, body[:500]
    answer = json.loads(body)
    assert answer["code"] == "database_unavailable"
    assert "database" in answer["detail"].lower()
    assert headers.get("Retry-After") == "5"
    assert page_status == 503
    assert page_headers.get("Retry-After") == "5"
    assert b"database" in page.lower()
