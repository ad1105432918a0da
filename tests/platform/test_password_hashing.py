"""Passwords are hashed with argon2; PBKDF2 hashes of before are upgraded at the next login."""

from __future__ import annotations

import os
import subprocess
import sys

from django.contrib.auth.hashers import make_password
from django.test import Client

from agora.municipalities.provisioning import host_for

PASSWORD = "correct horse battery staple"


def _production_hashers() -> list[str]:
    """The hashers outside the test run (the suite prepends a fast one)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_VERSION", "AGORA_TESTING")}
    env["DJANGO_SETTINGS_MODULE"] = "agora.settings"
    code = (
        "import django; django.setup(); from django.conf import settings; print(*settings.PASSWORD_HASHERS)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120, check=True
    )
    return result.stdout.split()


def test_production_hashes_with_argon2_and_still_reads_pbkdf2():
    hashers = _production_hashers()
    assert hashers[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in hashers
    assert not any("MD5" in hasher or hasher.rsplit(".")[-1] == "SHA1PasswordHasher" for hasher in hashers)


def test_a_pbkdf2_hash_is_upgraded_to_argon2_at_login(people, settings):
    settings.PASSWORD_HASHERS = _production_hashers()
    user = people.official("utrecht", "pbkdf2")
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])

    client = Client(HTTP_HOST=host_for("utrecht"), REMOTE_ADDR="192.0.2.201")
    assert client.post("/login/", {"username": user.username, "password": PASSWORD}).status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password(PASSWORD)


def test_a_pbkdf2_hash_is_upgraded_at_a_token_login_too(people, settings):
    settings.PASSWORD_HASHERS = _production_hashers()
    user = people.official("utrecht", "pbkdf2-api")
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])
    client = Client(HTTP_HOST=host_for("utrecht"), REMOTE_ADDR="192.0.2.202")
    response = client.post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.password.startswith("argon2$")
