"""Request and response shapes of the token endpoint (as DRF's token endpoint had, plus the code)."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label=_("Username"), write_only=True)
    password = serializers.CharField(
        label=_("Password"), style={"input_type": "password"}, trim_whitespace=False, write_only=True
    )
    otp_token = serializers.CharField(
        label=_("Authenticator code"),
        required=False,
        allow_blank=True,
        max_length=16,
        write_only=True,
        help_text=_("Required for accounts with two-factor authentication (police, analysts, operators)."),
    )

    def validate(self, attrs: dict) -> dict:
        # authenticate() with the request: the lockout backend and the failure counter see it.
        user = authenticate(
            request=self.context.get("request"), username=attrs["username"], password=attrs["password"]
        )
        if user is None:
            raise serializers.ValidationError(
                _("Unable to log in with provided credentials."), code="authorization"
            )
        attrs["user"] = user
        return attrs


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)
    expiry = serializers.DateTimeField(read_only=True, help_text=_("The token stops working at this time."))


class LogoutAllResponseSerializer(serializers.Serializer):
    api_tokens_revoked = serializers.IntegerField(read_only=True)
