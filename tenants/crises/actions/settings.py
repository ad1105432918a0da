"""Changing the municipality's crisis settings (quorum, escalation minutes, goal, drill age)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from agora.accounts.actors import require_staff
from agora.audit.actions import record_action
from tenants.crises import errors
from tenants.crises.models import CrisisSettings
from tenants.crises.rules import current_settings

# Each setting with its bounds: a quorum of 0 on a side is allowed (a council without allies yet).
SETTING_BOUNDS = {
    "goal_minutes": (5, 24 * 60),
    "escalate_after_minutes": (1, 24 * 60),
    "quorum_municipal": (0, 12),
    "quorum_police": (0, 12),
    "quorum_allies": (0, 12),
    "drill_max_age_months": (1, 60),
}


@transaction.atomic
def do_update_crisis_settings(changes: Mapping[str, Any], *, acting_user: Any) -> CrisisSettings:
    """Staff change the crisis settings; each within its bounds; the change is audited."""
    require_staff(acting_user)
    found = CrisisSettings.objects.select_for_update().filter(pk=current_settings().pk).get()
    before = {name: getattr(found, name) for name in SETTING_BOUNDS}
    for name, value in changes.items():
        if name not in SETTING_BOUNDS:
            continue
        low, high = SETTING_BOUNDS[name]
        text = str(value)
        if isinstance(value, bool) or not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
            raise errors.CRISIS_SETTING_INVALID(fields={name: [text[:20]]}, name=name, low=low, high=high)
        setattr(found, name, int(text))
    found.save()
    after = {name: getattr(found, name) for name in SETTING_BOUNDS}
    record_action(
        "crises.settings_updated", actor=acting_user, obj=found, detail={"before": before, "after": after}
    )
    return found
