"""Writing the audit trail. Call these inside the transaction of the change they record."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable
from typing import Any

from agora.accounts.actors import current_municipality
from agora.audit.models import AuditEvent, PersonRecordRead

logger = logging.getLogger(__name__)

# What a value in AuditEvent.detail may look like: an id, a code, a field name, a date, a checksum.
# Anything with a space or longer than this is free text (a note, a reason, a name), which belongs
# in the tenant where erasure reaches it, not in the public schema (issue 13.3).
_CODE = re.compile(r"[\w.:+\-/@]{0,100}")
REDACTED: dict[str, str] = {"redacted": "text"}


def ids_and_codes(value: Any, *, path: str = "detail") -> Any:
    """``value`` with every free-text string replaced by :data:`REDACTED` (and a warning logged).

    Call sites pass ids, codes and field names only; this is the last line of defence for one
    that slips, so that a forgotten note never reaches the public schema.
    """
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, str):
        if _CODE.fullmatch(value):
            return value
        logger.warning("audit detail %s held free text; stored as redacted", path)
        return REDACTED
    if isinstance(value, dict):
        return {str(key): ids_and_codes(item, path=f"{path}.{key}") for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return [ids_and_codes(item, path=f"{path}[]") for item in items]
    return ids_and_codes(str(value), path=path)


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
    """Append an audit event; the municipality defaults to the current tenant.

    ``detail`` holds ids, codes and field names only (:func:`ids_and_codes`).
    """
    return AuditEvent.objects.create(
        action=action,
        actor=_user_or_none(actor),
        municipality=municipality or current_municipality(),
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        detail=ids_and_codes(detail or {}),
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
