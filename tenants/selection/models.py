"""A selection case per key figure, its approvals, home visit and append-only history.

Rows here change only through ``tenants.selection.actions`` (the rules live there). Approvals,
home visits and transitions are evidence of a decision about a person: they are written once and
never updated or deleted, which the models enforce so that no admin or shell slip rewrites them.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agora.history import AppendOnlyError, AppendOnlyModel
from tenants.selection.workflow import CLOSED_STATES, CaseState

__all__ = ["AppendOnlyError", "AppendOnlyModel"]  # re-exported: older imports name this module


class ReviewSide(models.TextChoices):
    """The two parties of the joint review; a membership's role decides its side."""

    MUNICIPALITY = "official", _("gemeente")
    POLICE = "police", _("politie")


class Answer(models.TextChoices):
    YES = "yes", _("ja")
    NO = "no", _("nee")
    DOUBT = "doubt", _("twijfel")


# The assessment of the home visit (METHOD.md step 2), in the order the visitors ask it.
ASSESSMENT_QUESTIONS: dict[str, Any] = {
    "inclusive": _("Is inclusief"),
    "open_to_society": _("Staat open voor de samenleving"),
    "wants_to_connect": _("Wil verbinden"),
    "helps_with_conflicts": _("Wil helpen conflicten te voorkomen en op te lossen"),
}


class SelectionCase(models.Model):
    """The road of one key figure from nomination to ally (or not). One open case at a time."""

    key_figure = models.ForeignKey(
        "networkmap.KeyFigure",
        on_delete=models.PROTECT,
        related_name="selection_cases",
        verbose_name=_("key figure"),
    )
    state = models.CharField(
        _("state"), max_length=20, choices=CaseState.choices, default=CaseState.NOMINATED, editable=False
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last change"), auto_now=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["key_figure"],
                condition=~Q(state__in=sorted(CLOSED_STATES)),
                name="selection_one_open_case_per_key_figure",
            ),
            models.CheckConstraint(
                condition=Q(state__in=CaseState.values), name="selection_case_state_valid"
            ),
        ]
        verbose_name = _("selection case")
        verbose_name_plural = _("selection cases")

    def __str__(self) -> str:
        return f"#{self.pk} {self.key_figure} – {self.get_state_display()}"


class Approval(AppendOnlyModel):
    """A yes in the joint review from one side; the database also holds one per side and person."""

    case = models.ForeignKey(SelectionCase, on_delete=models.PROTECT, related_name="approvals")
    side = models.CharField(_("side"), max_length=20, choices=ReviewSide.choices)
    membership = models.ForeignKey(
        "accounts.Membership", on_delete=models.PROTECT, related_name="+", verbose_name=_("reviewer")
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), blank=True)
    approved_at = models.DateTimeField(_("approved"), auto_now_add=True)

    class Meta:
        ordering = ["approved_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "side"], name="selection_one_approval_per_side"),
            models.UniqueConstraint(fields=["case", "user"], name="selection_one_approval_per_person"),
        ]
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")

    def __str__(self) -> str:
        return f"{self.get_side_display()}: {self.user}"


class HomeVisit(AppendOnlyModel):
    """The one-to-one home visit that tests the assessment; recorded once per case."""

    case = models.OneToOneField(SelectionCase, on_delete=models.PROTECT, related_name="home_visit")
    visited_on = models.DateField(_("date of the visit"))
    visitors = models.ManyToManyField("accounts.Membership", related_name="+", verbose_name=_("visitors"))
    inclusive_answer = models.CharField(_("inclusive"), max_length=5, choices=Answer.choices)
    inclusive_notes = models.TextField(_("notes: inclusive"), blank=True)
    open_to_society_answer = models.CharField(_("open to society"), max_length=5, choices=Answer.choices)
    open_to_society_notes = models.TextField(_("notes: open to society"), blank=True)
    wants_to_connect_answer = models.CharField(_("wants to connect"), max_length=5, choices=Answer.choices)
    wants_to_connect_notes = models.TextField(_("notes: wants to connect"), blank=True)
    helps_with_conflicts_answer = models.CharField(
        _("willing to help prevent and resolve conflicts"), max_length=5, choices=Answer.choices
    )
    helps_with_conflicts_notes = models.TextField(_("notes: conflicts"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("home visit")
        verbose_name_plural = _("home visits")

    def __str__(self) -> str:
        return f"{self.case.key_figure} – {self.visited_on}"

    def answer(self, question: str) -> str:
        return getattr(self, f"{question}_answer")

    def notes(self, question: str) -> str:
        return getattr(self, f"{question}_notes")

    def questions_answered(self, answer: str) -> list[str]:
        """The questions (keys of ``ASSESSMENT_QUESTIONS``) that got ``answer``."""
        return [question for question in ASSESSMENT_QUESTIONS if self.answer(question) == answer]


class Transition(AppendOnlyModel):
    """One move of a case: from, to, who, when, why. Append-only: the history stays."""

    case = models.ForeignKey(SelectionCase, on_delete=models.PROTECT, related_name="transitions")
    # Empty on the first row: the nomination that opened the case.
    from_state = models.CharField(_("from"), max_length=20, choices=CaseState.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=20, choices=CaseState.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    membership = models.ForeignKey(
        "accounts.Membership", on_delete=models.PROTECT, related_name="+", verbose_name=_("as member")
    )
    role = models.CharField(_("role"), max_length=20)  # the role at the time; memberships can change
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("selection transition")
        verbose_name_plural = _("selection history")

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state}"
