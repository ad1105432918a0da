"""Serializers of the signals API: shapes only, no rules (the actions hold those)."""

from __future__ import annotations

from rest_framework import serializers

from api.fields import DateTimeField, IdField
from tenants.signals.models import (
    Notice,
    NoticeRecipient,
    NoticeVisibility,
    Signal,
    SignalAnswer,
    SignalCategory,
    SignalStatusChange,
)
from tenants.signals.workflow import SignalStatus


def _name(user) -> str | None:
    return user.display_name if user is not None else None


class SignalAnswerSerializer(serializers.ModelSerializer):
    author_name = serializers.SerializerMethodField()

    class Meta:
        model = SignalAnswer
        fields = ["id", "body", "author_name", "created_at"]

    def get_author_name(self, obj: SignalAnswer) -> str | None:
        return _name(obj.author)


class SignalStatusChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = SignalStatusChange
        fields = ["from_status", "to_status", "changed_at", "note"]


class SignalOwnerSerializer(serializers.Serializer):
    membership_id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="user.display_name")
    role = serializers.CharField()


class SignalSerializer(serializers.ModelSerializer):
    """A signal with its answers thread; ``is_overdue`` against the municipality's rule."""

    ally_id = serializers.IntegerField(read_only=True)
    ally_name = serializers.CharField(source="ally.full_name", read_only=True)
    raised_by_name = serializers.SerializerMethodField()
    raised_on_behalf = serializers.SerializerMethodField()
    neighbourhood_id = serializers.IntegerField(read_only=True)
    neighbourhood_name = serializers.CharField(source="neighbourhood.name", read_only=True)
    owner = SignalOwnerSerializer(read_only=True, allow_null=True)
    response_time_seconds = serializers.SerializerMethodField()
    is_overdue = serializers.SerializerMethodField()
    answers = SignalAnswerSerializer(many=True, read_only=True)
    history = SignalStatusChangeSerializer(source="status_changes", many=True, read_only=True)

    class Meta:
        model = Signal
        fields = [
            "id",
            "category",
            "neighbourhood_id",
            "neighbourhood_name",
            "description",
            "ally_id",
            "ally_name",
            "raised_by_name",
            "raised_on_behalf",
            "owner",
            "status",
            "raised_at",
            "first_answered_at",
            "response_time_seconds",
            "is_overdue",
            "closed_at",
            "answers",
            "history",
        ]
        read_only_fields = fields

    def get_raised_by_name(self, obj: Signal) -> str | None:
        return _name(obj.raised_by)

    def get_raised_on_behalf(self, obj: Signal) -> bool:
        return obj.raised_by_id is not None and obj.raised_by_id != obj.ally.user_id

    def get_response_time_seconds(self, obj: Signal) -> int | None:
        return None if obj.response_time is None else int(obj.response_time.total_seconds())

    def get_is_overdue(self, obj: Signal) -> bool:
        cutoff = self.context["overdue_cutoff"]
        return obj.awaiting_answer_since is not None and obj.awaiting_answer_since < cutoff


class AllySignalAnswerSerializer(serializers.ModelSerializer):
    """An answer as the ally sees it: the text, when, and who by first name only."""

    author_first_name = serializers.SerializerMethodField()

    class Meta:
        model = SignalAnswer
        fields = ["id", "body", "author_first_name", "created_at"]
        read_only_fields = fields

    def get_author_first_name(self, obj: SignalAnswer) -> str | None:
        return (obj.author.first_name or None) if obj.author is not None else None


class AllySignalStatusChangeSerializer(serializers.ModelSerializer):
    """A status change with its time; who made it and the staff's note stay internal."""

    class Meta:
        model = SignalStatusChange
        fields = ["from_status", "to_status", "changed_at"]
        read_only_fields = fields


class AllySignalOwnerSerializer(serializers.Serializer):
    """Who handles it, for the ally: the role (municipality or police) and a first name."""

    role = serializers.CharField()
    first_name = serializers.SerializerMethodField()

    def get_first_name(self, obj) -> str | None:
        return obj.user.first_name or None


class AllySignalSerializer(serializers.ModelSerializer):
    """What an ally sees of their own signal: its course and the answers to them, nothing internal.

    Left out of the staff shape: notes on status changes (assignment and closing notes are
    staff's working notes), who changed the status, the owner's full name and membership id,
    the name of the staff member who noted the signal down, and the overdue flag.
    """

    ally_id = serializers.IntegerField(read_only=True)
    raised_on_behalf = serializers.SerializerMethodField()
    neighbourhood_id = serializers.IntegerField(read_only=True)
    neighbourhood_name = serializers.CharField(source="neighbourhood.name", read_only=True)
    owner = AllySignalOwnerSerializer(read_only=True, allow_null=True)
    response_time_seconds = serializers.SerializerMethodField()
    answers = AllySignalAnswerSerializer(many=True, read_only=True)
    history = AllySignalStatusChangeSerializer(source="status_changes", many=True, read_only=True)

    class Meta:
        model = Signal
        fields = [
            "id",
            "category",
            "neighbourhood_id",
            "neighbourhood_name",
            "description",
            "ally_id",
            "raised_on_behalf",
            "owner",
            "status",
            "raised_at",
            "first_answered_at",
            "response_time_seconds",
            "closed_at",
            "answers",
            "history",
        ]
        read_only_fields = fields

    def get_raised_on_behalf(self, obj: Signal) -> bool:
        return obj.raised_by_id is not None and obj.raised_by_id != obj.ally.user_id

    def get_response_time_seconds(self, obj: Signal) -> int | None:
        return None if obj.response_time is None else int(obj.response_time.total_seconds())


class SignalFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=SignalStatus.choices, required=False)
    category = serializers.ChoiceField(choices=SignalCategory.choices, required=False)
    neighbourhood = IdField(required=False)
    overdue = serializers.BooleanField(required=False, allow_null=True, default=None)


class SignalCreateSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=SignalCategory.choices)
    neighbourhood_id = IdField()
    description = serializers.CharField(max_length=5000)
    ally_id = IdField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=2**63 - 1,
        help_text="Staff raising on an ally's behalf: the ally (key figure) id. Allies leave it out.",
    )


class SignalAssignSerializer(serializers.Serializer):
    owner_membership_id = IdField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class SignalAnswerCreateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=5000)


class SignalNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class NoticeSerializer(serializers.ModelSerializer):
    """What staff see of a notice, with the receipt counts."""

    council_id = serializers.IntegerField(read_only=True, allow_null=True)
    issued_by_name = serializers.SerializerMethodField()
    recipient_count = serializers.IntegerField(read_only=True)
    read_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Notice
        fields = [
            "id",
            "title",
            "description",
            "planned_start",
            "visibility",
            "council_id",
            "issuer_role",
            "issued_by_name",
            "published_at",
            "recipient_count",
            "read_count",
        ]
        read_only_fields = fields

    def get_issued_by_name(self, obj: Notice) -> str | None:
        return _name(obj.issued_by)


class AllyNoticeSerializer(serializers.ModelSerializer):
    """What an ally sees of a notice addressed to them: no other recipients, their own receipt."""

    issued_by_name = serializers.SerializerMethodField()
    read_at = DateTimeField(read_only=True, allow_null=True, source="my_read_at")

    class Meta:
        model = Notice
        fields = [
            "id",
            "title",
            "description",
            "planned_start",
            "visibility",
            "issuer_role",
            "issued_by_name",
            "published_at",
            "read_at",
        ]
        read_only_fields = fields

    def get_issued_by_name(self, obj: Notice) -> str | None:
        return _name(obj.issued_by)


class NoticeCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=5000)
    planned_start = DateTimeField()
    visibility = serializers.ChoiceField(
        choices=NoticeVisibility.choices, default=NoticeVisibility.CONFIDENTIAL
    )
    council_id = IdField(required=False, allow_null=True)
    recipient_ids = serializers.ListField(
        child=IdField(),
        required=False,
        default=list,
        max_length=500,
    )


class NoticeReceiptSerializer(serializers.ModelSerializer):
    key_figure_id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="key_figure.full_name", read_only=True)

    class Meta:
        model = NoticeRecipient
        fields = ["key_figure_id", "name", "via_council", "read_at"]
        read_only_fields = fields
