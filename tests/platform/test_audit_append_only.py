"""Audit rows cannot be changed or deleted, not even through the ORM."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction

from agora.audit.actions import record_action
from agora.audit.models import AuditEvent


def test_audit_events_cannot_be_updated_or_deleted(utrecht):
    event = record_action("test.recorded", municipality=utrecht, detail={"n": 1})
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="test.rewritten")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "test.recorded"


def test_token_login_is_throttled(api, people, settings):
    from django.core.cache import cache

    key = "throttle_token_127.0.0.1"  # ScopedRateThrottle's key: scope and client address
    cache.delete(key)  # never cache.clear(): on Redis that would flush the shared database
    user = people.official("utrecht")
    client = api(None, "utrecht")
    statuses = [
        client.post("/api/v1/auth/token/", {"username": user.username, "password": "wrong"}).status_code
        for _ in range(12)
    ]
    assert statuses[0] == 400
    assert statuses[-1] == 429
    response = client.post("/api/v1/auth/token/", {"username": user.username, "password": "x"})
    assert response.json()["code"] == "throttled"
    cache.delete(key)
