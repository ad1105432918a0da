"""Assertions shared by the suite."""

from __future__ import annotations

from typing import Any


def assert_error(response: Any, code: str, status: int | None = None) -> dict:
    """The response is an API error with this stable code (and status, if given)."""
    body = response.json()
    assert set(body) >= {"code", "detail", "fields"}, body
    assert body["code"] == code, body
    if status is not None:
        assert response.status_code == status, (response.status_code, body)
    assert body["detail"], body
    return body
