"""Serializers of the memberships API: shapes only; the rules live in ``agora.accounts.actions``."""

from __future__ import annotations

from rest_framework import serializers


class StaffMembershipSerializer(serializers.Serializer):
    """A staff member of this municipality as colleagues see them, with the number they are called on."""

    id = serializers.IntegerField(source="pk")
    user = serializers.IntegerField(source="user_id")
    name = serializers.CharField(source="user.display_name")
    role = serializers.CharField()
    title = serializers.CharField()
    has_mobile = serializers.SerializerMethodField()
    mobile = serializers.CharField(help_text="E.164; empty when not set.")
    is_you = serializers.SerializerMethodField()

    def get_has_mobile(self, membership) -> bool:
        return bool(membership.mobile)

    def get_is_you(self, membership) -> bool:
        request = self.context.get("request")
        return request is not None and membership.user_id == request.user.pk


class MobileInputSerializer(serializers.Serializer):
    mobile = serializers.CharField(
        allow_blank=True, max_length=40, help_text="Any common notation; stored as E.164. Empty clears it."
    )
