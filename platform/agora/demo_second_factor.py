"""The demo's second factor: a fixed TOTP key per demo login, derived from its user name.

Demo logins that must use two-factor authentication (police, analysts, the operator) get a
confirmed authenticator device with this key, so that the demo runs with two commands and the
browser tests can compute the code (``django_otp.oath.totp``). The key is public knowledge, like
the demo password: demo data only, never in production (``agora demo`` refuses a shared database).
Standard library only, so that test helpers can import it before Django is set up.
"""

from __future__ import annotations

import base64
import hashlib

_SALT = b"agora-demo-totp-v1\n"


def demo_totp_key(username: str) -> bytes:
    """The 20-byte TOTP key of a demo login."""
    return hashlib.sha256(_SALT + username.encode()).digest()[:20]


def demo_totp_secret(username: str) -> str:
    """The key as authenticator apps take it by hand (base32)."""
    return base64.b32encode(demo_totp_key(username)).decode()
