"""The demo logins' password, hashed once per run.

Every demo login has the same published password, and Django hashes each new user's password with
argon2, at 0.15-0.4 s of CPU a time: the demo's 45 logins spent most of a first start's demo load
on it. The hash is made once and given to every demo user the run creates. The logins then share
one salt as well as the password, which tells nobody anything: the password is printed by
``agora demo`` anyway (demo data only, never in production; ``agora demo`` refuses a shared database).
"""

from __future__ import annotations

import functools
from typing import Any

from django.contrib.auth.hashers import make_password

from agora.accounts.models import User

# One password for every demo login, printed by `agora demo`. Demo data only: never in production.
DEMO_PASSWORD = "bondgenoten-demo"


@functools.cache
def password_hash(password: str = DEMO_PASSWORD) -> str:
    """``password`` hashed with the configured hasher, once per process."""
    return make_password(password)


def create_demo_user(username: str, password: str = DEMO_PASSWORD, **fields: Any) -> User:
    """A new user as ``User.objects.create_user`` makes one, with the run's one hash of ``password``."""
    user = User.objects.create_user(username=username, password=None, **fields)  # unusable: no hashing
    user.password = password_hash(password)
    user.save(update_fields=["password"])
    return user
