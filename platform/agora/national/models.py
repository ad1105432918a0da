"""Grants of the national police view. Public schema: the control plane decides who sees what.

Deny by default: a national analyst sees a district only while a grant covers it (a grant
for the district itself, or for its whole unit), from ``valid_from`` until ``valid_until``
and not revoked. Rows are never deleted: a revoked or expired grant stays for the audit.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agora.geography.models import PoliceDistrict, PoliceUnit


class GrantLevel(models.TextChoices):
    """``summary``: aggregates only. ``contacts``: also names and numbers of leads and allies."""

    SUMMARY = "summary", _("summary (counts only)")
    CONTACTS = "contacts", _("contacts (names and numbers of leads and allies)")


# Higher rank wins when two grants cover the same district.
LEVEL_RANK = {GrantLevel.SUMMARY: 1, GrantLevel.CONTACTS: 2}


class NationalGrant(models.Model):
    """One analyst's access to one police district or one whole unit, for a purpose and a period."""

    analyst = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="national_grants",
        verbose_name=_("analyst"),
        limit_choices_to={"is_national_analyst": True},
    )
    unit = models.ForeignKey(
        PoliceUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("whole police unit"),
    )
    district = models.ForeignKey(
        PoliceDistrict,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("police district"),
    )
    level = models.CharField(_("level"), max_length=20, choices=GrantLevel.choices)
    purpose = models.CharField(_("purpose"), max_length=200)
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"), help_text=_("The grant ends at this moment."))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("granted by")
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    class Meta:
        ordering = ["-granted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(unit__isnull=False) & Q(district__isnull=True))
                | (Q(unit__isnull=True) & Q(district__isnull=False)),
                name="national_grant_unit_or_district",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__gt=models.F("valid_from")), name="national_grant_period"
            ),
            models.CheckConstraint(
                condition=Q(level__in=[GrantLevel.SUMMARY, GrantLevel.CONTACTS]), name="national_grant_level"
            ),
        ]
        indexes = [models.Index(fields=["analyst", "valid_until"])]
        verbose_name = _("national view grant")
        verbose_name_plural = _("national view grants")

    def __str__(self) -> str:
        scope = self.district or self.unit
        return f"{self.analyst} – {scope} – {self.level}"


from agora.national.readmodel import (  # noqa: E402  (models of this app, kept in their own module)
    MirrorCommunity,
    MirrorConvocation,
    MirrorCouncil,
    MirrorCouncilMember,
    MirrorCouncilNeighbourhood,
    MirrorCrisis,
    MirrorKeyFigure,
    MirrorKeyFigureCommunity,
    MirrorMeeting,
    MirrorNeighbourhood,
    MirrorRules,
    MirrorSignal,
)

__all__ = [
    "GrantLevel",
    "MirrorCommunity",
    "MirrorConvocation",
    "MirrorCouncil",
    "MirrorCouncilMember",
    "MirrorCouncilNeighbourhood",
    "MirrorCrisis",
    "MirrorKeyFigure",
    "MirrorKeyFigureCommunity",
    "MirrorMeeting",
    "MirrorNeighbourhood",
    "MirrorRules",
    "MirrorSignal",
    "NationalGrant",
]
