"""The roles of the platform: what a membership lets its holder do in one municipality (docs/adr/0006)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """A member's role within one municipality."""

    OFFICIAL = "official", _("municipal official")
    POLICE = "police", _("police officer")
    ALLY = "ally", _("ally")


# Officials and police officers keep the map and run the council together.
STAFF_ROLES = frozenset({Role.OFFICIAL, Role.POLICE})
