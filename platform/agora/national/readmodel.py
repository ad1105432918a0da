"""The national read model: public mirrors of the tenant rows the national figures count.

Written only by the ``public.national_feed()`` trigger (see ``agora.national.feed``), in the
transaction of the tenant write; read only by ``agora.national.aggregates``. ``source_id`` is
the row's id in its municipality's schema; references between mirrored rows
(``neighbourhood_id``, ``council_id``, ...) are those tenant ids too, always paired with the
municipality. No person's name, number or e-mail is mirrored.
"""

from __future__ import annotations

from django.db import models


class Mirror(models.Model):
    municipality = models.ForeignKey(
        "municipalities.Municipality", on_delete=models.CASCADE, related_name="+"
    )
    source_id = models.BigIntegerField()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self._meta.model_name} {self.municipality_id}/{self.source_id}"

    @classmethod
    def unique(cls, name: str) -> list[models.UniqueConstraint]:
        return [models.UniqueConstraint(fields=["municipality", "source_id"], name=f"{name}_source")]


class MirrorRules(Mirror):
    meeting_interval_weeks = models.PositiveSmallIntegerField()
    relationship_meetings = models.PositiveSmallIntegerField()
    stale_contact_months = models.PositiveSmallIntegerField()
    signal_overdue_days = models.PositiveSmallIntegerField()

    class Meta:
        constraints = Mirror.unique("mirror_rules")


class MirrorNeighbourhood(Mirror):
    name = models.CharField(max_length=100)
    cbs_code = models.CharField(max_length=8, blank=True)

    class Meta:
        constraints = Mirror.unique("mirror_neighbourhood")


class MirrorCommunity(Mirror):
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20)

    class Meta:
        constraints = Mirror.unique("mirror_community")


class MirrorKeyFigure(Mirror):
    neighbourhood_id = models.BigIntegerField(null=True)
    is_ally = models.BooleanField()
    last_contact_on = models.DateField(null=True)

    class Meta:
        constraints = Mirror.unique("mirror_keyfigure")


class MirrorKeyFigureCommunity(Mirror):
    keyfigure_id = models.BigIntegerField()
    community_id = models.BigIntegerField()

    class Meta:
        constraints = Mirror.unique("mirror_keyfigure_community")
        indexes = [models.Index(fields=["municipality", "community_id"])]


class MirrorCouncil(Mirror):
    name = models.CharField(max_length=200)
    started_on = models.DateField()
    covers_whole_municipality = models.BooleanField()
    municipal_lead_id = models.BigIntegerField(null=True)  # a lead who left with no deputy (issue 9)
    municipal_deputy_id = models.BigIntegerField(null=True)
    police_lead_id = models.BigIntegerField(null=True)
    police_deputy_id = models.BigIntegerField(null=True)

    class Meta:
        constraints = Mirror.unique("mirror_council")


class MirrorCouncilNeighbourhood(Mirror):
    council_id = models.BigIntegerField()
    neighbourhood_id = models.BigIntegerField()

    class Meta:
        constraints = Mirror.unique("mirror_council_neighbourhood")


class MirrorCouncilMember(Mirror):
    council_id = models.BigIntegerField()
    left_on = models.DateField(null=True)

    class Meta:
        constraints = Mirror.unique("mirror_councilmember")


class MirrorMeeting(Mirror):
    council_id = models.BigIntegerField()
    status = models.CharField(max_length=20)
    starts_at = models.DateTimeField()

    class Meta:
        constraints = Mirror.unique("mirror_meeting")
        indexes = [models.Index(fields=["municipality", "council_id", "status", "starts_at"])]


class MirrorSignal(Mirror):
    neighbourhood_id = models.BigIntegerField()
    status = models.CharField(max_length=20)
    first_answered_at = models.DateTimeField(null=True)
    response_time = models.DurationField(null=True)
    awaiting_answer_since = models.DateTimeField(null=True)

    class Meta:
        constraints = Mirror.unique("mirror_signal")


class MirrorCrisis(Mirror):
    """A crisis's kind, states and times; no title or summary (free text may name a person)."""

    kind = models.CharField(max_length=20)
    is_drill = models.BooleanField()
    status = models.CharField(max_length=10)
    declared_at = models.DateTimeField()
    deadline_at = models.DateTimeField()
    quorum_at = models.DateTimeField(null=True)
    closed_at = models.DateTimeField(null=True)

    class Meta:
        constraints = Mirror.unique("mirror_crisis")
        indexes = [models.Index(fields=["municipality", "status"])]


class MirrorConvocation(Mirror):
    """One person called for a crisis, as the roll-call counts them: side and answer, never who."""

    crisis_id = models.BigIntegerField()
    side = models.CharField(max_length=10)
    answer = models.CharField(max_length=10)
    reachable = models.BooleanField()

    class Meta:
        constraints = Mirror.unique("mirror_convocation")
        indexes = [models.Index(fields=["municipality", "crisis_id"])]
