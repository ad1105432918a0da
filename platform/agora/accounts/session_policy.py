"""When a web session counts: not expired (idle and absolute), and past the second factor.

A session is complete when the user logged in within ``AGORA_SESSION_ABSOLUTE_SECONDS``, was
seen within ``AGORA_SESSION_IDLE_SECONDS``, and, if their login needs a second factor
(:func:`agora.accounts.two_factor.must_verify`), verified a code in this session. The HTTP
middleware below logs an expired session out and sends an unverified one to the code step; the
socket middleware (``realtime.routing``) treats either as anonymous. One rule for both, so a
password alone opens neither a page nor the crisis room.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.models import Device

from agora.accounts import two_factor

AUTH_AT = "agora_auth_at"
SEEN_AT = "agora_seen_at"
# Pages that an unverified user still needs: the code step and enrolment (under /login/), logout.
OPEN_PREFIXES = ("/login/", "/logout/", "/healthz", "/readyz", "/static/", "/i18n/")
TOUCH_EVERY = 60  # seconds: the "last seen" mark is written at most once a minute


def _now() -> int:
    return int(time.time())


def mark_login(session: Any) -> None:
    now = _now()
    session[AUTH_AT] = now
    session[SEEN_AT] = now


def is_expired(session: Any, now: int | None = None) -> bool:
    now = _now() if now is None else now
    started, seen = session.get(AUTH_AT), session.get(SEEN_AT)
    if started is None:
        return False  # a session from before this rule: the cookie's own age bounds it
    return (
        now - int(started) > settings.AGORA_SESSION_ABSOLUTE_SECONDS
        or now - int(seen or started) > settings.AGORA_SESSION_IDLE_SECONDS
    )


def touch(session: Any, now: int | None = None) -> None:
    now = _now() if now is None else now
    if AUTH_AT not in session:
        session[AUTH_AT] = now
    if now - int(session.get(SEEN_AT) or 0) >= TOUCH_EVERY:
        session[SEEN_AT] = now


def second_factor_done(session: Any, user: Any) -> bool:
    """Whether this session verified a code of one of the user's confirmed devices."""
    persistent_id = session.get(DEVICE_ID_SESSION_KEY)
    if not persistent_id:
        return False
    device = Device.from_persistent_id(persistent_id)
    return bool(device is not None and device.user_id == user.pk and device.confirmed)


def needs_second_factor(session: Any, user: Any) -> bool:
    # A verified session answers from its device alone; only the others ask the role policy.
    return not second_factor_done(session, user) and two_factor.must_verify(user)


def socket_user(session: Any, user: Any) -> Any:
    """The user a socket may act as: ``None`` for an expired or unverified session."""
    if not getattr(user, "is_authenticated", False):
        return user
    if is_expired(session) or needs_second_factor(session, user):
        return None
    return user


class SessionPolicyMiddleware:
    """After authentication: end expired sessions; hold unverified ones at the code step."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        if is_expired(request.session):
            logout(request)
            return self.get_response(request)
        touch(request.session)
        if not request.path.startswith(OPEN_PREFIXES) and needs_second_factor(request.session, user):
            return self._to_the_code_step(request, user)
        return self.get_response(request)

    @staticmethod
    def _to_the_code_step(request: HttpRequest, user: Any) -> HttpResponse:
        if request.path.startswith("/api/"):
            error = two_factor.OTP_REQUIRED()
            return JsonResponse({"code": error.code, "detail": error.message(), "fields": {}}, status=403)
        step = "login-verify" if two_factor.has_second_factor(user) else "login-enrol"
        return HttpResponseRedirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")


def _on_login(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        mark_login(session)


def connect() -> None:
    user_logged_in.connect(_on_login, dispatch_uid="agora-session-policy-mark-login")
