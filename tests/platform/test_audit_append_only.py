"""The audit trail is append-only in the database: UPDATE, DELETE and TRUNCATE are refused (issue 8.2).

Parametrised over EVERY model of the audit app (discovered, not listed), each tried in raw SQL
so that no ORM guard stands in for the database's own triggers. A new audit model without the
triggers fails here.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction

from agora.audit.actions import record_action
from agora.audit.models import AuditEvent, PersonRecordRead

AUDIT_MODELS = list(apps.get_app_config("audit").get_models())


def _a_row(model, utrecht, people):
    """One row of ``model``, written the way the platform writes it."""
    if model is AuditEvent:
        return record_action("test.recorded", municipality=utrecht, detail={"n": 1})
    if model is PersonRecordRead:
        return PersonRecordRead.objects.create(
            municipality=utrecht,
            actor=people.official("utrecht"),
            record_type="networkmap.KeyFigure",
            record_id="1",
            purpose="test",
        )
    raise AssertionError(f"no recipe for a {model._meta.label} row: add one to _a_row")


def _some_text_column(model) -> str:
    field = next(f for f in model._meta.concrete_fields if f.get_internal_type() == "CharField")
    return field.column


def test_every_audit_model_is_tried():
    assert {AuditEvent, PersonRecordRead} <= set(AUDIT_MODELS), AUDIT_MODELS


STATEMENTS = {
    "update": 'UPDATE "{table}" SET "{column}" = "{column}" || \'-rewritten\' WHERE id = %s',
    "delete": 'DELETE FROM "{table}" WHERE id = %s',
    "truncate": 'TRUNCATE "{table}" CASCADE',
}


@pytest.mark.parametrize("statement", sorted(STATEMENTS))
@pytest.mark.parametrize("model", AUDIT_MODELS, ids=[m._meta.label for m in AUDIT_MODELS])
def test_the_database_refuses_rewriting_the_audit_trail(model, statement, utrecht, people):
    column = _some_text_column(model)
    sql = STATEMENTS[statement].format(table=model._meta.db_table, column=column)
    # TRUNCATE is refused per statement, rows or not; a row inserted in this (test) transaction
    # would make PostgreSQL refuse it for another reason ("pending trigger events").
    row = None if statement == "truncate" else _a_row(model, utrecht, people)
    count = model.objects.count()
    refused = pytest.raises(DatabaseError, match="append-only")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [row.pk] if row is not None else None)
    assert model.objects.count() == count
    if row is not None:
        assert not str(model.objects.values_list(column, flat=True).get(pk=row.pk)).endswith("-rewritten")


def test_audit_events_cannot_be_updated_or_deleted_through_the_orm(utrecht):
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
