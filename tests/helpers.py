"""Assertions shared by the suite."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from agora.errors import DomainError
from realtime.events import SentEvent, _capturing


def assert_error(response: Any, code: str, status: int | None = None) -> dict:
    """The response is an API error with this stable code (and status, if given)."""
    body = response.json()
    assert set(body) >= {"code", "detail", "fields"}, body
    assert body["code"] == code, body
    if status is not None:
        assert response.status_code == status, (response.status_code, body)
    assert body["detail"], body
    return body


@contextlib.contextmanager
def assert_raises_code(
    code: str, *, status: int | None = None
) -> Iterator[pytest.ExceptionInfo[DomainError]]:
    """``pytest.raises`` for a :class:`DomainError` with this stable code (and status, if given)."""
    with pytest.raises(DomainError) as info:
        yield info
    assert info.value.code == code, f"expected {code!r}, got {info.value.code!r}: {info.value}"
    if status is not None:
        assert info.value.status == status, (info.value.code, info.value.status)


@contextlib.contextmanager
def capture_events() -> Iterator[list[SentEvent]]:
    """Collect the events that actions send after commit, with the groups each went to.

    Like Zulip's ``capture_send_event_calls``: the event still reaches the channel layer; the
    list only lets a test check what an action broadcast, and to whom. Under a test transaction
    that never commits nothing is sent: use ``django_db(transaction=True)`` or
    ``django_capture_on_commit_callbacks(execute=True)``.
    """
    captured: list[SentEvent] = []
    _capturing.append(captured)
    try:
        yield captured
    finally:
        _capturing.remove(captured)


def totp_code(device, *, ahead: int = 0) -> str:
    """The code ``device`` shows now (``ahead`` steps later: a device refuses a code used once)."""
    from django_otp.oath import totp

    t0 = device.t0 - ahead * device.step
    return f"{totp(device.bin_key, step=device.step, t0=t0, digits=device.digits):06d}"


def complete_second_factor(client, user) -> None:
    """Mark the client's session as past the second factor, as the code step would.

    ``force_login`` stands for a finished login in the suite (the conftest wraps it with this);
    tests of the code step itself log in with the password instead.
    """
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from agora.accounts.two_factor import must_verify

    if not must_verify(user):
        return
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def _deactivated(user):
    from django_tenants.utils import schema_context

    from agora.accounts.models import Membership

    with schema_context("public"):
        Membership.objects.filter(user=user).update(is_active=False)
    return user


# Everyone who is not staff of Utrecht, for "the action itself refuses who acts" tests: each is
# built from the ``people`` fixture inside the test (a deactivated official included).
OUTSIDERS: dict[str, Callable[[Any], Any]] = {
    "ally": lambda people: people.ally("utrecht"),
    "non-member": lambda people: people.stranger(),
    "official of another municipality": lambda people: people.official("amersfoort"),
    "police officer of another municipality": lambda people: people.police("amersfoort"),
    "deactivated official": lambda people: _deactivated(people.official("utrecht", "gone")),
    "anonymous": lambda people: AnonymousUser(),
}
