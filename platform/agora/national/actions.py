"""Granting the national view: only a platform operator, every change audited in its transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from agora.audit.actions import record_action
from agora.geography.models import PoliceDistrict, PoliceUnit
from agora.national.errors import (
    NATIONAL_GRANT_LEVEL,
    NATIONAL_GRANT_NOT_ANALYST,
    NATIONAL_GRANT_OPERATOR_ONLY,
    NATIONAL_GRANT_PERIOD,
    NATIONAL_GRANT_PURPOSE,
    NATIONAL_GRANT_REVOKED,
    NATIONAL_GRANT_SCOPE,
)
from agora.national.live import notify_scope_change_on_commit
from agora.national.models import GrantLevel, NationalGrant

# What the audit row keeps of a grant (ids, codes and dates: the trail must show before and after).
# The purpose is free text: it stays on the grant row, the audit row only says that it changed.
AUDITED_FIELDS = ("analyst_id", "unit_id", "district_id", "level", "valid_from", "valid_until")


def require_operator(user: Any) -> None:
    """Platform operators are active superusers; nobody else grants (not even an analyst to themself)."""
    if not (getattr(user, "is_authenticated", False) and user.is_active and user.is_superuser):
        raise NATIONAL_GRANT_OPERATOR_ONLY()


def _snapshot(grant: NationalGrant) -> dict[str, Any]:
    values = {name: getattr(grant, name) for name in AUDITED_FIELDS}
    return {k: v.isoformat() if isinstance(v, dt.datetime) else v for k, v in values.items()}


def _validate(
    *,
    analyst: Any,
    unit: PoliceUnit | None,
    district: PoliceDistrict | None,
    level: str,
    purpose: str,
    valid_from: dt.datetime,
    valid_until: dt.datetime,
) -> None:
    if analyst is None or not analyst.is_national_analyst:
        raise NATIONAL_GRANT_NOT_ANALYST(fields={"analyst": [str(analyst)]}, user=str(analyst))
    if (unit is None) == (district is None):
        raise NATIONAL_GRANT_SCOPE(fields={"district": [], "unit": []})
    if level not in GrantLevel.values:
        raise NATIONAL_GRANT_LEVEL(fields={"level": [level]})
    if not (purpose or "").strip():
        raise NATIONAL_GRANT_PURPOSE(fields={"purpose": [purpose]})
    if valid_from is None or valid_until is None or valid_until <= valid_from:
        raise NATIONAL_GRANT_PERIOD(fields={"valid_until": [str(valid_until)]})


@transaction.atomic
def do_grant_national_access(
    analyst: Any,
    *,
    level: str,
    purpose: str,
    valid_until: dt.datetime,
    district: PoliceDistrict | None = None,
    unit: PoliceUnit | None = None,
    valid_from: dt.datetime | None = None,
    acting_user: Any,
) -> NationalGrant:
    """Grant ``analyst`` one district or one whole unit at ``level`` for ``purpose``, from now by default."""
    require_operator(acting_user)
    valid_from = valid_from or timezone.now()
    purpose = (purpose or "").strip()
    _validate(
        analyst=analyst,
        unit=unit,
        district=district,
        level=level,
        purpose=purpose,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    grant = NationalGrant.objects.create(
        analyst=analyst,
        unit=unit,
        district=district,
        level=level,
        purpose=purpose,
        valid_from=valid_from,
        valid_until=valid_until,
        granted_by=acting_user,
    )
    record_action("national.grant.created", actor=acting_user, obj=grant, detail=_snapshot(grant))
    notify_scope_change_on_commit(grant.analyst_id)  # a live socket widens at once
    return grant


@transaction.atomic
def do_change_national_grant(grant_id: int, *, acting_user: Any, **changes: Any) -> NationalGrant:
    """Change a grant's scope, level, purpose or period; the audit row holds before and after."""
    require_operator(acting_user)
    grant = NationalGrant.objects.select_for_update().get(pk=grant_id)
    if grant.revoked_at is not None:
        raise NATIONAL_GRANT_REVOKED()
    before = _snapshot(grant)
    purpose_before = grant.purpose
    allowed = {"analyst", "unit", "district", "level", "purpose", "valid_from", "valid_until"}
    for name, value in changes.items():
        if name not in allowed:
            raise TypeError(f"a grant has no changeable field {name!r}")
        setattr(grant, name, value)
    grant.purpose = (grant.purpose or "").strip()
    _validate(
        analyst=grant.analyst,
        unit=grant.unit,
        district=grant.district,
        level=grant.level,
        purpose=grant.purpose,
        valid_from=grant.valid_from,
        valid_until=grant.valid_until,
    )
    grant.save()
    record_action(
        "national.grant.changed",
        actor=acting_user,
        obj=grant,
        detail={
            "before": before,
            "after": _snapshot(grant),
            "fields": ["purpose"] if grant.purpose != purpose_before else [],
        },
    )
    # A live socket narrows, widens or closes at once (the old analyst's too, if it moved).
    notify_scope_change_on_commit(before["analyst_id"], grant.analyst_id)
    return grant


@transaction.atomic
def do_revoke_national_grant(grant_id: int, *, acting_user: Any) -> NationalGrant:
    """End a grant now. The analyst's next request no longer sees what it covered, nor their socket."""
    require_operator(acting_user)
    grant = NationalGrant.objects.select_for_update().get(pk=grant_id)
    if grant.revoked_at is not None:
        raise NATIONAL_GRANT_REVOKED()
    grant.revoked_at = timezone.now()
    grant.revoked_by = acting_user
    grant.save(update_fields=["revoked_at", "revoked_by"])
    record_action("national.grant.revoked", actor=acting_user, obj=grant, detail=_snapshot(grant))
    notify_scope_change_on_commit(grant.analyst_id)  # the live stream narrows or closes at once
    return grant
