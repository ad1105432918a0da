"""The lockout's hooks into Django's authentication, so that every way in shares it.

``authenticate()`` stops at a backend that raises ``PermissionDenied``; :class:`LockoutBackend`
(Django's model backend, the only one configured) does that for a locked (user name, address)
pair, before any password is checked. Failures are counted from the
``user_login_failed`` signal, which ``authenticate()`` sends for every refused attempt, whichever
form or endpoint called it (the login page, both admin sites, the API token endpoint).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.exceptions import PermissionDenied

from agora.accounts import login_attempts
from agora.observability import metrics


class LockoutBackend(ModelBackend):
    """Django's model backend behind the lockout: a locked pair is refused unchecked."""

    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ):
        if request is not None and login_attempts.is_blocked(request, username or ""):
            request.agora_locked_out = True
            raise PermissionDenied("login locked out")
        return super().authenticate(request, username=username, password=password, **kwargs)


def _failed(sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
    # The reason only: the user name tried is free text (often a mistyped password) and stays out.
    metrics.login_failed("locked_out" if getattr(request, "agora_locked_out", False) else "bad_credentials")
    if request is not None:
        login_attempts.record_failure(request, str(credentials.get("username") or ""))


def _logged_in(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    if request is not None and user is not None:
        login_attempts.forget_failures(request, user.get_username())


def connect() -> None:
    user_login_failed.connect(_failed, dispatch_uid="agora-lockout-count-failure")
    user_logged_in.connect(_logged_in, dispatch_uid="agora-lockout-forget-on-login")
