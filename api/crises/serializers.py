"""Request shapes of the crisis API. The actions validate the rules; these only read the body."""

from __future__ import annotations

from rest_framework import serializers

from tenants.crises.models import Answer, CrisisKind


class CrisisCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=CrisisKind.choices)
    council_ids = serializers.ListField(child=serializers.JSONField(), allow_empty=True)
    neighbourhood_ids = serializers.ListField(child=serializers.JSONField(), required=False, default=list)


class MessageCreateSerializer(serializers.Serializer):
    client_msg_id = serializers.UUIDField()
    body = serializers.CharField(max_length=4000, trim_whitespace=False)
    kind = serializers.ChoiceField(choices=["message", "decision", "task"], required=False, default="message")
    owner_id = serializers.JSONField(required=False, allow_null=True, default=None)


class ResponseCreateSerializer(serializers.Serializer):
    answer = serializers.ChoiceField(choices=Answer.choices)
    eta_minutes = serializers.IntegerField(min_value=0, max_value=1440, required=False, allow_null=True)


class SummarySerializer(serializers.Serializer):
    text = serializers.CharField(max_length=4000)


class ContactAllySerializer(serializers.Serializer):
    convocation_id = serializers.IntegerField(min_value=1)


class EventsQuerySerializer(serializers.Serializer):
    after = serializers.IntegerField(min_value=0, required=False, default=0)


class DrillCreateSerializer(serializers.Serializer):
    council_id = serializers.IntegerField(min_value=1)


class DrillQuerySerializer(serializers.Serializer):
    council = serializers.IntegerField(min_value=1, required=False)
