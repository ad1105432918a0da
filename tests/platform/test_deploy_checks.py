"""Django's deployment checks pass with the production settings documented in the README."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_passes_with_the_documented_production_settings(tmp_path, settings):
    env = {
        **os.environ,
        "SECRET_KEY": secrets.token_urlsafe(60),
        "DEBUG": "0",
        "SECURE_PROXY_SSL_HEADER": "1",
        "SECURE_SSL_REDIRECT": "1",
        "SECURE_HSTS_SECONDS": "31536000",
        "AGORA_DATA_DIR": str(tmp_path),
    }
    env.pop("PYTEST_VERSION", None)  # a production process, not a test run
    env.pop("AGORA_TESTING", None)
    if settings.DATABASE_URL:
        env["DATABASE_URL"] = settings.DATABASE_URL
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
