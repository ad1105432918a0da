"""Police geography: the Netherlands has regional units (eenheden), each split into districts."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PoliceUnit(models.Model):
    """A regional police unit (eenheid), e.g. Midden-Nederland."""

    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("police unit")
        verbose_name_plural = _("police units")

    def __str__(self) -> str:
        return self.name


class PoliceDistrict(models.Model):
    """A district of a police unit; it covers one or more municipalities."""

    unit = models.ForeignKey(PoliceUnit, on_delete=models.PROTECT, related_name="districts")
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["unit__name", "name"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="district_unique_per_unit")]
        verbose_name = _("police district")
        verbose_name_plural = _("police districts")

    def __str__(self) -> str:
        return f"{self.unit.name} / {self.name}"
