"""Writing the audit trail. Call these inside the transaction of the change they record."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from agora.accounts.actors import current_municipality
from agora.audit.models import AuditEvent, PersonRecordRead


def _user_or_none(user):
    return user if getattr(user, "is_authenticated", False) else None


def record_action(
    action: str,
    *,
    actor=None,
    municipality=None,
    obj: Any = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an audit event; the municipality defaults to the current tenant."""
    return AuditEvent.objects.create(
        action=action,
        actor=_user_or_none(actor),
        municipality=municipality or current_municipality(),
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        detail=detail or {},
    )


def record_actions(
    action: str,
    items: Iterable[tuple[Any, dict[str, Any]]],
    *,
    actor=None,
    municipality=None,
    batch_size: int = 1000,
) -> None:
    """Append one audit event per ``(obj, detail)`` in a few statements (bulk actions).

    The same rows as :func:`record_action` once per object, for actions that write thousands of
    objects at once (a nomination list): the audit stays one row per person, the cost does not.
    """
    municipality = municipality or current_municipality()
    actor = _user_or_none(actor)
    AuditEvent.objects.bulk_create(
        (
            AuditEvent(
                action=action,
                actor=actor,
                municipality=municipality,
                object_type=obj._meta.label,
                object_id=str(obj.pk),
                detail=detail or {},
            )
            for obj, detail in items
        ),
        batch_size=batch_size,
    )


def log_person_read(*, actor, obj: Any, purpose: str, municipality=None) -> PersonRecordRead | None:
    """Record a read of one person's record. Every person-record read passes through here."""
    municipality = municipality or current_municipality()
    actor = _user_or_none(actor)
    if municipality is None or actor is None:
        return None
    return PersonRecordRead.objects.create(
        municipality=municipality,
        actor=actor,
        record_type=obj._meta.label,
        record_id=str(obj.pk),
        purpose=purpose[:200],
    )


def log_person_reads(*, actor, objs: list[Any], purpose: str, municipality=None) -> None:
    """Record reads of several person records in one statement (list views).

    The municipality defaults to the current tenant; the national view (public schema) names it.
    """
    municipality = municipality or current_municipality()
    actor = _user_or_none(actor)
    if municipality is None or actor is None or not objs:
        return
    PersonRecordRead.objects.bulk_create(
        PersonRecordRead(
            municipality=municipality,
            actor=actor,
            record_type=obj._meta.label,
            record_id=str(obj.pk),
            purpose=purpose[:200],
        )
        for obj in objs
    )
