"""The municipality's crisis settings (quorum, escalation, goal, drill age), one row per schema."""

from __future__ import annotations

from tenants.crises.models import CrisisSettings


def current_settings() -> CrisisSettings:
    """The current schema's crisis settings, created with the defaults on first use."""
    found = CrisisSettings.objects.filter(singleton=True).first()
    if found is None:
        found, _ = CrisisSettings.objects.get_or_create(singleton=True)
    return found
