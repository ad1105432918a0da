"""The browser harness: Debian's chromium driven by Playwright against a real ``agora demo``.

pytest-django's live server does not route tenants by host, so the suite starts the real
thing: ``agora demo`` (daphne) in a subprocess on its own PostgreSQL database
(``<DATABASE_URL's name>_browser``, created afresh, migrated and loaded by the demo itself), on a
free port. Hosts are ``<slug>.localhost:<port>``; chromium resolves ``*.localhost`` to loopback.

One browser for the package's tests, one context per test (or per person in a test). Every request a page
makes is recorded and must go to the test server's own hosts. Screenshots go to the git-ignored
``test-artifacts/`` folder; ``check_axe(page)`` runs the vendored axe-core (ADR 0010).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.ports import free_port
from tests.services import IN_CI

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
AXE = Path(__file__).with_name("vendor") / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DEMO_PASSWORD = "bondgenoten-demo"
BOOT_TIMEOUT = int(os.environ.get("AGORA_BROWSER_BOOT_TIMEOUT", "900"))  # a loaded 2-core CI box is slow
PHONE = {"width": 390, "height": 844}


def _browser_database_url() -> str:
    """A database of its own beside the suite's (the demo commits; the suite's tests roll back)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        return ""
    import psycopg

    parts = urlsplit(url)
    # A worker's own name too: should two pytest-xdist workers ever both boot a demo, neither
    # drops the other's database.
    name = (
        parts.path.lstrip("/") + "_browser" + os.environ.get("PYTEST_XDIST_WORKER", "").replace("gw", "_gw")
    )
    admin = parts._replace(path="/postgres").geturl()
    # Fresh every session: the tests change the demo (signals, imports, leads), and a rerun must
    # see the demo as `agora demo` makes it, not what the previous run left.
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return parts._replace(path=f"/{name}").geturl()


@dataclass
class Server:
    port: int
    database_url: str
    process: subprocess.Popen = field(repr=False)

    def url(self, slug: str = "", path: str = "/") -> str:
        host = f"{slug}.localhost" if slug else "localhost"
        return f"http://{host}:{self.port}{path}"

    def sql(self, query: str, *params) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.database_url) as connection:
            return connection.execute(query, params).fetchall()


# Package scope, not session: Playwright's sync API keeps an event loop running in the main
# thread while it is open, and the suite's later async tests (asyncio.run) must not see it.
@pytest.fixture(scope="package")
def server() -> Iterator[Server]:
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing (apt-get install -y chromium; .ci/run does)"
        pytest.fail(message) if IN_CI else pytest.skip(message)
    database_url = _browser_database_url()
    if not database_url:
        pytest.skip("the browser suite runs on the real PostgreSQL (DATABASE_URL)")
    port = free_port()
    data_dir = Path(tempfile.mkdtemp(prefix="agora-browser-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "AGORA_TESTING"))}
    env.update(DATABASE_URL=database_url, AGORA_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1")
    script = Path(sys.executable).with_name("agora")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "agora.cli"]
    log = (data_dir / "server.log").open("w+")
    process = subprocess.Popen(
        [*command, "demo", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + BOOT_TIMEOUT
    while time.monotonic() < deadline:
        if "Serving on" in (data_dir / "server.log").read_text():
            break
        if process.poll() is not None:
            break
        time.sleep(0.5)
    else:
        process.kill()
    output = (data_dir / "server.log").read_text()
    if "Serving on" not in output:
        process.kill()
        pytest.fail(f"agora demo did not start:\n{output[-4000:]}")
    yield Server(port=port, database_url=database_url, process=process)
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="package")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


class Requests(list):
    """Every URL the browser asked for, to hold them all to the test server's own hosts."""

    def outside(self, port: int) -> list[str]:
        own = re.compile(rf"^http://([a-z0-9-]+\.)?localhost:{port}/")
        return [url for url in self if not own.match(url) and not url.startswith(("data:", "blob:"))]


@pytest.fixture
def new_context(browser, server):
    """``new_context(phone=False, language="nl")``: a fresh browser profile; requests recorded."""
    made = []
    seen = Requests()

    def make(*, phone: bool = False, language: str = "nl-NL"):
        options = {"locale": language}
        if phone:
            options.update(viewport=PHONE, is_mobile=True, has_touch=True)
        context = browser.new_context(**options)
        context.on("request", lambda request: seen.append(request.url))
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()
    assert seen, "the test made no request at all"
    assert seen.outside(server.port) == [], "requests left the server"


# The last TOTP time step used per demo login: a device accepts each step once (and one step
# either side), so a second login of the same user within 30 s takes the next step.
_USED_STEPS: dict[str, int] = {}


def demo_code(username: str) -> str:
    """The authenticator code of a demo login, from the key ``agora demo`` prints."""
    import time

    from django_otp.oath import totp

    from agora.demo_second_factor import demo_totp_key

    now = int(time.time()) // 30
    step = max(now, _USED_STEPS.get(username, now - 1) + 1)
    if step > now + 1:  # beyond the device's tolerance: wait for the clock
        time.sleep(max(0.0, (step - 1) * 30 - time.time() + 0.5))
        now = int(time.time()) // 30
    _USED_STEPS[username] = step
    return f"{totp(demo_totp_key(username), t0=(now - step) * 30):06d}"


def log_in(page, server: Server, username: str, slug: str = "") -> None:
    """Password, then, for a login that must use a second factor, the code of its demo key."""
    page.goto(server.url(slug, "/login/"))
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    if "/login/verify/" in page.url:
        page.fill("#id_otp_token", demo_code(username))
        page.click("main form button[type=submit] >> nth=0")
        page.wait_for_load_state()
        assert "/login/verify/" not in page.url, "the demo code was refused"


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def check_axe(page) -> list[dict]:
    """Serious or critical axe-core violations of the page (evaluated by CDP: CSP does not apply)."""
    page.evaluate(AXE.read_text())
    return page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations
              .filter(v => v.impact === "serious" || v.impact === "critical")
              .map(v => ({
                id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))
              }));
        }"""
    )
