"""The network map of one municipality (netwerkkaart). Lives in the municipality's schema.

Nothing here may refer to another municipality's records: people, neighbourhoods and
communities exist only inside this schema, and references to public-schema memberships are
checked by the services to belong to this municipality (the boundary rule).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CityDistrict(models.Model):
    """An optional grouping of neighbourhoods (stadsdeel)."""

    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("city district")
        verbose_name_plural = _("city districts")

    def __str__(self) -> str:
        return self.name


class Neighbourhood(models.Model):
    """A neighbourhood (wijk) with its neighbourhood police officer(s) and municipal contact."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    cbs_code = models.CharField(_("CBS neighbourhood code"), max_length=8, blank=True)  # e.g. WK034401
    city_district = models.ForeignKey(
        CityDistrict, null=True, blank=True, on_delete=models.SET_NULL, related_name="neighbourhoods"
    )
    police_officers = models.ManyToManyField(
        "accounts.Membership",
        blank=True,
        related_name="+",
        verbose_name=_("neighbourhood police officers"),
        help_text=_("Memberships with the police role in this municipality."),
    )
    municipal_contact = models.ForeignKey(
        "accounts.Membership",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("municipal contact"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("neighbourhood")
        verbose_name_plural = _("neighbourhoods")

    def __str__(self) -> str:
        return self.name


class CommunityKind(models.TextChoices):
    RELIGIOUS = "religious", _("religious community")
    ORIGIN = "origin", _("community by country of origin")
    GROUP = "group", _("group")


class Community(models.Model):
    """A community (gemeenschap); each municipality keeps its own list."""

    kind = models.CharField(_("kind"), max_length=20, choices=CommunityKind.choices)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="community_unique_name")]
        verbose_name = _("community")
        verbose_name_plural = _("communities")

    def __str__(self) -> str:
        return self.name


class KeyFigure(models.Model):
    """A person who represents a community or group and has influence on it (sleutelfiguur).

    Special-category personal data: read through ``access_key_figure_by_id`` only, which logs.
    """

    first_name = models.CharField(_("first name"), max_length=100)
    infix = models.CharField(_("infix"), max_length=20, blank=True, help_text=_('e.g. "van der"'))
    last_name = models.CharField(_("last name"), max_length=100)
    mobile = models.CharField(
        _("mobile number"), max_length=20, blank=True, help_text=_("E.164, e.g. +31612345678")
    )
    email = models.EmailField(_("e-mail"), blank=True)
    neighbourhood = models.ForeignKey(
        Neighbourhood,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="residents",
        verbose_name=_("neighbourhood of residence"),
    )
    residence_cbs_code = models.CharField(
        _("municipality of residence (CBS code)"),
        max_length=6,
        blank=True,
        help_text=_("Empty: lives in this municipality. Another code: lives elsewhere."),
    )
    communities = models.ManyToManyField(Community, blank=True, related_name="key_figures")
    represents = models.CharField(_("represents"), max_length=200, blank=True)
    influence_notes = models.TextField(_("influence notes"), blank=True)
    nominated_by_municipality = models.BooleanField(_("on the municipality's list"), default=False)
    nominated_by_police = models.BooleanField(_("on the police's list"), default=False)
    is_professional_representative = models.BooleanField(
        _("represents a professional organisation"),
        default=False,
        help_text=_("Community workers, welfare organisations: they cannot become allies."),
    )
    # Maintained by the selection workflow only (tenants.selection.actions).
    is_ally = models.BooleanField(_("ally"), default=False, editable=False)
    # The ally's login for the member portal, if any.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_contact_on = models.DateField(_("last contact"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        constraints = [
            # One login is one ally: it links to at most one record of this municipality.
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(user__isnull=False), name="key_figure_unique_user"
            )
        ]
        verbose_name = _("key figure")
        verbose_name_plural = _("key figures")

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.infix, self.last_name) if part)


class ContactKind(models.TextChoices):
    """How a contact moment took place."""

    VISIT = "visit", _("visit")
    PHONE = "phone", _("phone call")
    MEETING = "meeting", _("meeting")
    MESSAGE = "message", _("message")
    EVENT = "event", _("event in the neighbourhood")


class ContactMoment(models.Model):
    """One contact between a staff member and a key figure.

    The map's "stale relationship" gap is computed from ``KeyFigure.last_contact_on``, which
    ``actions.do_record_contact`` keeps in step with these rows. Kept per membership (not per user)
    so the relationship stays with the organisation when someone leaves (the method's
    "keep the network in the organisation" lesson).
    """

    key_figure = models.ForeignKey(KeyFigure, on_delete=models.CASCADE, related_name="contacts")
    date = models.DateField(_("date"))
    membership = models.ForeignKey(
        "accounts.Membership",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("who had contact"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ContactKind.choices)
    note = models.TextField(_("note"), blank=True)
    # A follow-up agreed in this contact: who makes the next contact, and by when. When that
    # person leaves, the handover passes the follow-up to their successor (``follow_up_by``),
    # while ``membership`` keeps who actually had this contact.
    follow_up_on = models.DateField(_("follow up by"), null=True, blank=True)
    follow_up_by = models.ForeignKey(
        "accounts.Membership",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("who follows up"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["key_figure", "-date"], name="contact_by_key_figure")]
        verbose_name = _("contact moment")
        verbose_name_plural = _("contact moments")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}"
