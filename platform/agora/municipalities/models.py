"""The tenant: a municipality (gemeente), one PostgreSQL schema each."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin

from agora.geography.models import PoliceDistrict

# GM and exactly four ASCII digits, never 0000 (no municipality has it). [0-9], not \d: \d also
# matches Arabic-Indic and full-width digits. The admin edits codes through this validator too.
CBS_CODE_PATTERN = r"^GM(?!0000)[0-9]{4}\Z"
cbs_code_validator = RegexValidator(
    CBS_CODE_PATTERN, _("A CBS municipality code is GM and four digits (not 0000), e.g. GM0344.")
)


class CurrentMunicipalities(models.Manager):
    """The municipalities on the platform: not the offboarded ones (see :class:`Municipality`)."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(offboarded_at__isnull=True)


class Municipality(TenantMixin):
    """A municipality. Its schema is created by cloning the template (see provisioning).

    Offboarding (``agora.municipalities.offboarding``) keeps the row as a tombstone: the audit
    trail refers to it and is append-only. ``objects`` (django-tenants', the migrations', every
    list's manager) leaves tombstones out; ``all_objects`` includes them. Slug and CBS code are
    unique among current municipalities only, so an offboarded one can be restored under its own.
    """

    name = models.CharField(_("name"), max_length=200)
    cbs_code = models.CharField(_("CBS code"), max_length=6, validators=[cbs_code_validator])
    slug = models.SlugField(_("slug"), max_length=50)
    offboarded_at = models.DateTimeField(_("offboarded at"), null=True, blank=True, editable=False)
    district = models.ForeignKey(
        PoliceDistrict,
        on_delete=models.PROTECT,
        related_name="municipalities",
        verbose_name=_("police district"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Provisioning clones the template schema itself; saving never runs migrations.
    auto_create_schema = False
    auto_drop_schema = False

    objects = CurrentMunicipalities()
    all_objects = models.Manager()

    class Meta:
        ordering = ["name"]
        base_manager_name = "all_objects"  # an audit event's municipality resolves, tombstone or not
        constraints = [
            models.UniqueConstraint(
                fields=["cbs_code"],
                condition=models.Q(offboarded_at=None),
                name="municipality_cbs_code_current",
            ),
            models.UniqueConstraint(
                fields=["slug"], condition=models.Q(offboarded_at=None), name="municipality_slug_current"
            ),
        ]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self) -> str:
        return f"{self.name} ({self.cbs_code})"


class Domain(DomainMixin):
    """A host name that resolves to a municipality (``<slug>.<AGORA_BASE_DOMAIN>``)."""

    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")
