"""The allies' council (bondgenotenoverleg) of one municipality. Lives in its schema.

Composition rules (size, who may sit, the municipal boundary) are enforced by
``tenants.councils.actions``; the models only hold what was decided. Leads are memberships in
the public schema, checked by the actions to belong to *this* municipality.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agora.history import AppendOnlyModel, StatusChange
from tenants.councils.workflow import AgendaItemStatus, MeetingStatus


class CouncilRules(models.Model):
    """The municipality's own council rules (maatwerk), one row per schema.

    Defaults are the method's: at most 12 people (1 municipal, 1 police, at most 10 allies),
    4-5 allies to start, a meeting every 6 weeks, the first 3 meetings only for building
    the relationship. Read through ``tenants.councils.rules.current_rules()``.
    """

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    max_size = models.PositiveSmallIntegerField(_("maximum council size"), default=12)
    municipal_seats = models.PositiveSmallIntegerField(_("municipal seats"), default=1)
    police_seats = models.PositiveSmallIntegerField(_("police seats"), default=1)
    max_allies = models.PositiveSmallIntegerField(_("maximum allies"), default=10)
    recommended_start_min = models.PositiveSmallIntegerField(
        _("recommended allies at start (min)"), default=4
    )
    recommended_start_max = models.PositiveSmallIntegerField(
        _("recommended allies at start (max)"), default=5
    )
    meeting_interval_weeks = models.PositiveSmallIntegerField(_("meeting interval (weeks)"), default=6)
    relationship_meetings = models.PositiveSmallIntegerField(
        _("relationship-building meetings"),
        default=3,
        help_text=_("Held meetings before local problems may be put on the agenda."),
    )
    signal_overdue_days = models.PositiveSmallIntegerField(
        _("signal answer overdue after (days)"), default=14
    )
    stale_contact_months = models.PositiveSmallIntegerField(_("relationship stale after (months)"), default=6)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("council rules")
        verbose_name_plural = _("council rules")
        constraints = [
            models.CheckConstraint(condition=Q(singleton=True), name="council_rules_singleton"),
            models.CheckConstraint(
                condition=Q(recommended_start_min__lte=models.F("recommended_start_max")),
                name="council_rules_start_range",
            ),
        ]

    def __str__(self) -> str:
        return str(_("council rules"))


class Council(models.Model):
    """An allies' council: a scope, a lead and a deputy from each side, and allies as members."""

    name = models.CharField(_("name"), max_length=200)
    covers_whole_municipality = models.BooleanField(_("covers the whole municipality"), default=True)
    neighbourhoods = models.ManyToManyField(
        "networkmap.Neighbourhood",
        blank=True,
        related_name="councils",
        verbose_name=_("neighbourhoods"),
        help_text=_("The scope when the council does not cover the whole municipality."),
    )
    # A lead seat is empty only after its holder left with no deputy to take it over
    # (``actions.handover``); the actions never seat nobody, and council health flags the gap.
    municipal_lead = models.ForeignKey(
        "accounts.Membership",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("municipal lead"),
    )
    municipal_deputy = models.ForeignKey(
        "accounts.Membership",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("municipal deputy"),
    )
    police_lead = models.ForeignKey(
        "accounts.Membership",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("police lead"),
    )
    police_deputy = models.ForeignKey(
        "accounts.Membership",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("police deputy"),
    )
    started_on = models.DateField(_("started on"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("allies' council")
        verbose_name_plural = _("allies' councils")

    def __str__(self) -> str:
        return self.name

    def lead_membership_ids(self) -> set[int]:
        """Leads and deputies of both sides (the people who run this council)."""
        return {
            pk
            for pk in (
                self.municipal_lead_id,
                self.municipal_deputy_id,
                self.police_lead_id,
                self.police_deputy_id,
            )
            if pk is not None
        }


class CouncilMember(models.Model):
    """An ally's seat in a council. Leaving sets ``left_on``; the row stays, for tenure."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="members")
    key_figure = models.ForeignKey(
        "networkmap.KeyFigure", on_delete=models.PROTECT, related_name="council_seats"
    )
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    left_reason = models.CharField(_("reason for leaving"), max_length=200, blank=True)

    class Meta:
        ordering = ["joined_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "key_figure"],
                condition=Q(left_on__isnull=True),
                name="council_member_one_active_seat",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="council_member_left_after_joined",
            ),
        ]
        verbose_name = _("council member")
        verbose_name_plural = _("council members")

    def __str__(self) -> str:
        return f"{self.key_figure} – {self.council}"

    @property
    def is_active(self) -> bool:
        return self.left_on is None


class Acknowledgement(models.Model):
    """A warning someone read and accepted (who, when), e.g. the mayor as municipal lead."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="acknowledgements")
    code = models.CharField(_("warning"), max_length=64)
    subject = models.CharField(_("about"), max_length=200, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["acknowledged_at", "id"]
        verbose_name = _("acknowledged warning")
        verbose_name_plural = _("acknowledged warnings")

    def __str__(self) -> str:
        return f"{self.code} ({self.acknowledged_at:%Y-%m-%d})"


class Meeting(models.Model):
    """A council meeting. Always with a meal: the method's informal core."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="meetings")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200)
    meal = models.CharField(_("meal"), max_length=200, help_text=_("What is eaten together, and who cooks."))
    status = models.CharField(
        _("status"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    notes = models.TextField(_("notes"), blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(meal=""), name="meeting_has_meal"),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="meeting_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["council", "status", "starts_at"])]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return f"{self.council} {self.starts_at:%Y-%m-%d}"


class MeetingStatusChange(StatusChange):
    """One move of a meeting (planned, held, cancelled): from, to, who, when. Append-only.

    Held meetings build the relationship phase and the cadence; the history shows who said a
    meeting happened (or was called off), and when.
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="status_changes")
    # Empty on the first row: the meeting being planned.
    from_status = models.CharField(_("from"), max_length=20, choices=MeetingStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=MeetingStatus.choices)

    class Meta(StatusChange.Meta):
        verbose_name = _("meeting status change")
        verbose_name_plural = _("meeting history")


class Attendance(models.Model):
    """Who was there: an ally (council member) or a lead/deputy (membership)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(
        CouncilMember, null=True, blank=True, on_delete=models.CASCADE, related_name="attendance"
    )
    membership = models.ForeignKey(
        "accounts.Membership", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    present = models.BooleanField(_("present"), default=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(member__isnull=False) & Q(membership__isnull=True))
                | (Q(member__isnull=True) & Q(membership__isnull=False)),
                name="attendance_one_attendee",
            ),
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_member_once"),
            models.UniqueConstraint(fields=["meeting", "membership"], name="attendance_membership_once"),
        ]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")

    def __str__(self) -> str:
        who = f"member {self.member_id}" if self.member_id else f"membership {self.membership_id}"
        return f"{who}: {'present' if self.present else 'absent'}"


class AgendaItemKind(models.TextChoices):
    GENERAL = "general", _("algemeen")
    GETTING_TO_KNOW = "getting_to_know", _("kennismaken")
    NEIGHBOURHOOD_FIGURES = "neighbourhood_figures", _("cijfers van de wijk")
    LOCAL_PROBLEM = "local_problem", _("lokaal probleem")


class AgendaItem(models.Model):
    """A topic any member proposed. Ordered by when it was proposed: no member outranks another."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="agenda_items")
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="agenda_items"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=AgendaItemKind.choices, default="general")
    is_international = models.BooleanField(_("international topic"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=AgendaItemStatus.choices, default=AgendaItemStatus.OPEN
    )
    # Rules this item breaks and that both leads must override before it goes on the agenda.
    override_rules = models.JSONField(_("rules to override"), default=list, blank=True)
    override_reason = models.TextField(_("reason for the override"), blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["proposed_at", "id"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")

    def __str__(self) -> str:
        return self.title


class AgendaItemStatusChange(StatusChange):
    """One move of an agenda item (proposed, overridden, discussed, withdrawn). Append-only."""

    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="status_changes")
    # Empty on the first row: the item being proposed.
    from_status = models.CharField(_("from"), max_length=20, choices=AgendaItemStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=AgendaItemStatus.choices)

    class Meta(StatusChange.Meta):
        verbose_name = _("agenda item status change")
        verbose_name_plural = _("agenda item history")


class OverrideSide(models.TextChoices):
    MUNICIPAL = "municipal", _("gemeente")
    POLICE = "police", _("politie")


class OverrideApproval(models.Model):
    """One side's approval of an agenda item's override. Both sides must approve."""

    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="approvals")
    side = models.CharField(_("side"), max_length=20, choices=OverrideSide.choices)
    rules = models.JSONField(_("rules overridden"), default=list)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["approved_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["agenda_item", "side"], name="override_one_approval_per_side"),
            models.UniqueConstraint(fields=["agenda_item", "approved_by"], name="override_distinct_people"),
        ]
        verbose_name = _("override approval")
        verbose_name_plural = _("override approvals")

    def __str__(self) -> str:
        return f"{self.side} approval of item {self.agenda_item_id}"


class Handover(AppendOnlyModel):
    """A seat passed on: who left it, who took it and the open work that went along. Append-only.

    The method's "keep the network in the organisation": when a lead or deputy leaves, the
    successor sees here what was open (counts and ids of signals, planned notices and follow-up
    contacts) and whom it came from. Ids and counts only, never free text about persons.
    """

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="handovers")
    side = models.CharField(_("side"), max_length=20, choices=OverrideSide.choices)
    # "lead" when the lead seat was passed on (the deputy moved up), "deputy" when the deputy left.
    seat = models.CharField(_("seat"), max_length=10, choices=[("lead", _("lead")), ("deputy", _("deputy"))])
    from_membership = models.ForeignKey(
        "accounts.Membership", on_delete=models.PROTECT, related_name="+", verbose_name=_("from")
    )
    # Empty when nobody could take over: the seat is empty, and council health flags it.
    to_membership = models.ForeignKey(
        "accounts.Membership",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("to"),
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    summary = models.JSONField(_("what was open"), default=dict)
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")

    def __str__(self) -> str:
        return f"{self.council} {self.side} {self.seat}: {self.from_membership_id} → {self.to_membership_id}"
