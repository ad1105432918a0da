"""A crisis and its room: who was convened, how they answered, and the one append-only log.

Lives in the municipality's schema. The log (:class:`CrisisEvent`) is the room: every message,
decision, task, answer, escalation and summary change is a row with a per-crisis sequence
number without gaps, written before it is broadcast, so that a client that missed anything asks
for ``seq > k`` and gets exactly that. A drill (``is_drill``) goes through the same convening
path and has a log too, but no room.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CrisisSettings(models.Model):
    """The municipality's crisis settings, one row per schema (read through ``current_settings()``).

    Quorum: the room counts as convened when at least ``quorum_municipal`` municipal and
    ``quorum_police`` police members and ``quorum_allies`` allies answered coming or remote.
    """

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    goal_minutes = models.PositiveSmallIntegerField(_("convened within (minutes)"), default=60)
    escalate_after_minutes = models.PositiveSmallIntegerField(
        _("escalate an unanswered lead to the deputy after (minutes)"), default=10
    )
    quorum_municipal = models.PositiveSmallIntegerField(_("quorum: municipal members"), default=1)
    quorum_police = models.PositiveSmallIntegerField(_("quorum: police members"), default=1)
    quorum_allies = models.PositiveSmallIntegerField(_("quorum: allies"), default=2)
    drill_max_age_months = models.PositiveSmallIntegerField(
        _("a council's last drill is a gap after (months)"), default=6
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("crisis settings")
        verbose_name_plural = _("crisis settings")
        constraints = [models.CheckConstraint(condition=Q(singleton=True), name="crisis_settings_singleton")]

    def __str__(self) -> str:
        return str(_("crisis settings"))


class CrisisKind(models.TextChoices):
    INCIDENT = "incident", _("incident")
    UNREST = "unrest", _("onrust")
    PLANNED_ACTION = "planned_action", _("geplande actie")


class CrisisStatus(models.TextChoices):
    OPEN = "open", _("open")
    CLOSED = "closed", _("gesloten")


class Crisis(models.Model):
    """A declared crisis (or a reachability drill) and the councils convened for it."""

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=CrisisKind.choices)
    is_drill = models.BooleanField(_("drill"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=CrisisStatus.choices, default=CrisisStatus.OPEN
    )
    councils = models.ManyToManyField("councils.Council", related_name="crises", verbose_name=_("councils"))
    neighbourhoods = models.ManyToManyField(
        "networkmap.Neighbourhood", blank=True, related_name="crises", verbose_name=_("neighbourhoods")
    )
    declared_at = models.DateTimeField(_("declared at"))
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    deadline_at = models.DateTimeField(_("convened by"))
    quorum_at = models.DateTimeField(_("quorum reached at"), null=True, blank=True)
    first_meeting_at = models.DateTimeField(_("first met at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    summary = models.TextField(_("situation summary"), blank=True)
    summary_updated_at = models.DateTimeField(null=True, blank=True)
    summary_updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The last sequence number handed out; raised under SELECT ... FOR UPDATE with each event row.
    last_seq = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-declared_at", "-id"]
        verbose_name = _("crisis")
        verbose_name_plural = _("crises")
        indexes = [models.Index(fields=["is_drill", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == CrisisStatus.OPEN


class Side(models.TextChoices):
    MUNICIPAL = "municipal", _("gemeente")
    POLICE = "police", _("politie")
    ALLY = "ally", _("bondgenoot")


class Answer(models.TextChoices):
    COMING = "coming", _("ik kom")
    REMOTE = "remote", _("op afstand")
    UNABLE = "unable", _("kan niet")


class Convocation(models.Model):
    """One person called for one crisis: a lead or deputy (membership) or a seated ally (key figure).

    One row per person and crisis, whatever number of convened councils they sit on. ``reachable``
    is False when no channel could reach them (no login, no number, no e-mail): the room shows
    them as unreachable instead of skipping them.
    """

    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="convocations")
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    position = models.CharField(_("position"), max_length=20)  # lead, deputy, ally
    membership = models.ForeignKey(
        "accounts.Membership", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    key_figure = models.ForeignKey(
        "networkmap.KeyFigure", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deputy = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("deputy")
    )
    notified_at = models.DateTimeField(null=True, blank=True)
    channels = models.JSONField(default=list)  # e.g. ["app", "sms", "email"]: the channels they have
    # Per channel what became of the last call: {"app"|"sms"|"email": "sent"|"failed"|"pending"|
    # "no_login"|"no_number"|"no_address"} (tenants.crises.notify), written after the sending.
    delivery = models.JSONField(default=dict)
    delivered_at = models.DateTimeField(null=True, blank=True)
    reachable = models.BooleanField(default=True)
    answer = models.CharField(max_length=10, choices=Answer.choices, blank=True)
    eta_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    contacted_at = models.DateTimeField(null=True, blank=True)  # an ally called again from the room

    class Meta:
        ordering = ["side", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["crisis", "membership"],
                condition=Q(membership__isnull=False),
                name="convocation_membership_once",
            ),
            models.UniqueConstraint(
                fields=["crisis", "key_figure"],
                condition=Q(key_figure__isnull=False),
                name="convocation_key_figure_once",
            ),
            models.CheckConstraint(
                condition=(Q(membership__isnull=False) & Q(key_figure__isnull=True))
                | (Q(membership__isnull=True) & Q(key_figure__isnull=False)),
                name="convocation_one_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.side} {self.position} of crisis {self.crisis_id}"


class CrisisEvent(models.Model):
    """One entry of a crisis's log, numbered without gaps per crisis. Never updated."""

    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=40)
    payload = models.JSONField(default=dict)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    client_msg_id = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["crisis", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["crisis", "seq"], name="crisis_event_seq_once"),
            models.UniqueConstraint(
                fields=["crisis", "author", "client_msg_id"],
                condition=Q(client_msg_id__isnull=False),
                name="crisis_event_client_msg_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.crisis_id}#{self.seq} {self.kind}"


class RoomVisit(models.Model):
    """A socket in the room (presence): open while ``left_at`` is empty. Feeds the first-meeting time."""

    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="visits")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel_name = models.CharField(max_length=200)
    joined_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["joined_at", "id"]
        indexes = [models.Index(fields=["crisis", "left_at"])]

    def __str__(self) -> str:
        return f"user {self.user_id} in crisis {self.crisis_id}"
