"""Signals raised by allies, and notices of planned interventions sent to them.

Both live in the municipality's schema. References to the public schema (users, memberships)
are checked by the actions to belong to this municipality: a foreign key alone cannot enforce
the municipal boundary. All datetimes are aware and stored in UTC; durations are computed from
UTC instants, never from wall-clock times (Europe/Amsterdam changes its clock twice a year).
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenants.signals.workflow import AWAITING_ANSWER, SignalStatus


class SignalCategory(models.TextChoices):
    """What allies raise (METHOD.md step 4: pest plague, bullying, illegal dumping, ...)."""

    PEST = "pest", _("ongedierte")
    BULLYING = "bullying", _("pesten")
    ILLEGAL_DUMPING = "illegal_dumping", _("illegale dumping")
    SAFETY = "safety", _("veiligheid")
    OTHER = "other", _("overig")


class SignalQuerySet(models.QuerySet):
    """Overdue is a question about now, so it is a query, not a stored flag."""

    def awaiting_answer(self) -> SignalQuerySet:
        return self.filter(status__in=AWAITING_ANSWER)

    def overdue(self, *, cutoff: datetime) -> SignalQuerySet:
        """Signals waiting for an answer since before ``cutoff`` (see ``deadlines.overdue_cutoff``)."""
        return self.filter(awaiting_answer_since__lt=cutoff)

    def with_overdue_flag(self, *, cutoff: datetime) -> SignalQuerySet:
        # CASE, not a bare comparison: an answered signal (NULL) is "not overdue", not unknown.
        return self.annotate(
            is_overdue=models.Case(
                models.When(awaiting_answer_since__lt=cutoff, then=models.Value(True)),
                default=models.Value(False),
                output_field=models.BooleanField(),
            )
        )


class Signal(models.Model):
    """A problem an ally brings to the municipality and police; they owe the ally an answer."""

    ally = models.ForeignKey(
        "networkmap.KeyFigure",
        on_delete=models.PROTECT,
        related_name="signals",
        verbose_name=_("bondgenoot"),
        help_text=_("The ally for whom the signal is raised."),
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("gemeld door"),
        help_text=_("The ally, or the official or police officer who raised it on the ally's behalf."),
    )
    category = models.CharField(_("categorie"), max_length=20, choices=SignalCategory.choices)
    neighbourhood = models.ForeignKey(
        "networkmap.Neighbourhood", on_delete=models.PROTECT, related_name="signals", verbose_name=_("wijk")
    )
    description = models.TextField(_("omschrijving"))
    owner = models.ForeignKey(
        "accounts.Membership",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("eigenaar"),
        help_text=_("An official's or police officer's membership of this municipality."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=SignalStatus.choices, default=SignalStatus.NEW, db_index=True
    )
    raised_at = models.DateTimeField(_("gemeld op"), default=timezone.now, db_index=True)
    first_answered_at = models.DateTimeField(_("eerste antwoord op"), null=True, blank=True)
    # first_answered_at - raised_at, from UTC instants (set by the answer action).
    response_time = models.DurationField(_("reactietijd"), null=True, blank=True)
    # Set on raise and on reopen, cleared by an answer: overdue is measured from here.
    awaiting_answer_since = models.DateTimeField(null=True, blank=True, db_index=True, editable=False)
    closed_at = models.DateTimeField(_("afgesloten op"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SignalQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = _("signaal")
        verbose_name_plural = _("signalen")
        constraints = [
            models.CheckConstraint(
                condition=Q(first_answered_at__isnull=True, response_time__isnull=True)
                | Q(first_answered_at__isnull=False, response_time__isnull=False),
                name="signal_response_time_with_first_answer",
            ),
            models.CheckConstraint(
                condition=Q(first_answered_at__isnull=True) | Q(first_answered_at__gte=models.F("raised_at")),
                name="signal_answer_after_raise",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_category_display()} – {self.neighbourhood}"


class SignalAnswer(models.Model):
    """One answer in the thread back to the ally. Append-only."""

    signal = models.ForeignKey(Signal, on_delete=models.CASCADE, related_name="answers")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("antwoord"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("antwoord")
        verbose_name_plural = _("antwoorden")

    def __str__(self) -> str:
        return f"answer {self.pk} on signal {self.signal_id}"


class SignalStatusChange(models.Model):
    """Append-only status history of a signal (who moved it, when, why)."""

    signal = models.ForeignKey(Signal, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=SignalStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=SignalStatus.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} -> {self.to_status}"


class NoticeVisibility(models.TextChoices):
    """How far allies may pass a planned-intervention notice on.

    Police often inform allies beforehand precisely so they can calm their community; sometimes
    the action must stay confidential until it starts. The issuer says which.
    """

    CONFIDENTIAL = "confidential", _("vertrouwelijk: alleen voor de ontvangers")
    SHAREABLE = "shareable", _("mag gedeeld worden met de gemeenschap")


class Notice(models.Model):
    """Police or municipality inform allies beforehand of a planned intervention."""

    title = models.CharField(_("titel"), max_length=200)
    description = models.TextField(_("omschrijving"))
    planned_start = models.DateTimeField(_("geplande start"))
    visibility = models.CharField(
        _("zichtbaarheid"),
        max_length=20,
        choices=NoticeVisibility.choices,
        default=NoticeVisibility.CONFIDENTIAL,
    )
    council = models.ForeignKey(
        "councils.Council",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notices",
        verbose_name=_("overleg"),
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    issuer_role = models.CharField(_("namens"), max_length=20, help_text=_("official or police"))
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-planned_start", "-id"]
        verbose_name = _("melding van een geplande actie")
        verbose_name_plural = _("meldingen van geplande acties")

    def __str__(self) -> str:
        return self.title


class NoticeRecipient(models.Model):
    """An ally the notice is addressed to, and when they confirmed reading it.

    Council members are written out at publication, so the receipts show exactly who was
    informed beforehand even if the council changes later; an ally who joins the council
    afterwards gets a row when they confirm reading (see ``receipts.notice_receipts``).
    """

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="recipients")
    key_figure = models.ForeignKey(
        "networkmap.KeyFigure", on_delete=models.PROTECT, related_name="notices_received"
    )
    via_council = models.BooleanField(default=False)
    read_at = models.DateTimeField(_("gelezen op"), null=True, blank=True)

    class Meta:
        ordering = ["notice", "key_figure__last_name", "key_figure__first_name", "id"]
        constraints = [models.UniqueConstraint(fields=["notice", "key_figure"], name="notice_recipient_once")]

    def __str__(self) -> str:
        return f"{self.key_figure} – {self.notice}"
