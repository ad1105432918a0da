"""Django's deployment checks pass with the production settings documented in the README, and
``docker-compose.yml`` defaults to Secure cookies and takes its database password from the
environment (docs/deployment.md)."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
TLS = {"SECURE_PROXY_SSL_HEADER": "1", "SECURE_SSL_REDIRECT": "1", "SECURE_HSTS_SECONDS": "31536000"}
VARIABLE = re.compile(r"\$\{(?P<name>\w+)(?::(?P<op>[-?])(?P<arg>[^}]*))?\}")


def _check_deploy(env: dict[str, str], tmp_path: Path, settings) -> subprocess.CompletedProcess:
    env = {**os.environ, **env, "AGORA_DATA_DIR": str(tmp_path)}
    env.pop("PYTEST_VERSION", None)  # a production process, not a test run
    env.pop("AGORA_TESTING", None)
    env.pop("DATABASE_URL", None)
    if settings.DATABASE_URL:
        env["DATABASE_URL"] = settings.DATABASE_URL
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _resolve(value: str, given: dict[str, str]) -> str:
    """Compose's ``${NAME}``, ``${NAME:-default}`` and ``${NAME:?error}`` with ``given`` set."""

    def one(match: re.Match) -> str:
        name, op, arg = match["name"], match["op"], match["arg"]
        if given.get(name):
            return given[name]
        assert op != "?", f"compose requires {name}"
        return arg if op == "-" else ""

    return VARIABLE.sub(one, str(value))


def _compose_web_environment(given: dict[str, str]) -> dict[str, str]:
    web = _compose()["services"]["web1"]
    return {key: _resolve(value, given) for key, value in web["environment"].items()}


def test_check_deploy_passes_with_the_documented_production_settings(tmp_path, settings):
    result = _check_deploy({"SECRET_KEY": secrets.token_urlsafe(60), "DEBUG": "0", **TLS}, tmp_path, settings)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_passes_with_the_compose_settings_behind_tls(tmp_path, settings):
    secret = {
        "SECRET_KEY": secrets.token_urlsafe(60),
        "AGORA_APP_DB_PASSWORD": secrets.token_urlsafe(24),
        "AGORA_OWNER_DB_PASSWORD": secrets.token_urlsafe(24),
    }
    environment = _compose_web_environment({**secret, **TLS})
    assert environment["SECURE_COOKIES"] == "1"
    result = _check_deploy(environment, tmp_path, settings)
    assert result.returncode == 0, result.stdout + result.stderr
    # Without TLS variables the only findings are the TLS ones: the cookies are Secure already.
    plain = _check_deploy(_compose_web_environment(secret), tmp_path, settings)
    findings = set(re.findall(r"security\.W\d+", plain.stdout + plain.stderr))
    assert findings <= {"security.W004", "security.W008"}, plain.stdout + plain.stderr
    assert "security.W012" not in findings and "security.W016" not in findings


def test_compose_takes_the_database_password_from_the_environment():
    text = (ROOT / "docker-compose.yml").read_text()
    assert "agora:agora" not in text
    compose = _compose()
    assert compose["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"].startswith(
        "${AGORA_OWNER_DB_PASSWORD:?"
    )
    password = secrets.token_urlsafe(24)
    environment = _compose_web_environment({"SECRET_KEY": "x", "AGORA_APP_DB_PASSWORD": password})
    assert environment["DATABASE_URL"].startswith(f"postgres://agora_app:{password}@")
    try:
        _compose_web_environment({"SECRET_KEY": "x"})
    except AssertionError as error:
        assert "AGORA_APP_DB_PASSWORD" in str(error)
    else:
        raise AssertionError("compose starts without AGORA_APP_DB_PASSWORD")


def test_cookies_are_secure_by_default_in_production(tmp_path):
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTEST_VERSION", "AGORA_TESTING", "SECURE_COOKIES")
    }
    env.update({"DJANGO_SETTINGS_MODULE": "agora.settings", "AGORA_DATA_DIR": str(tmp_path), "DEBUG": "0"})
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.LANGUAGE_COOKIE_SECURE)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.stdout.split() == ["True", "True", "True"], result.stderr
