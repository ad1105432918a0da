"""Token login, logout and "log out everywhere" for API clients.

The token endpoint shares the one lockout (``agora.accounts.lockout``): it authenticates
through ``authenticate()`` and answers a locked (user name, address) pair with
``login_throttled`` (429) before checking anything. Users who must use a second factor send
``otp_token`` with their password; a wrong code counts as a failed login. Tokens are knox
tokens: stored as a hash, expiring after ``REST_KNOX["TOKEN_TTL"]``.
"""

from __future__ import annotations

from django.contrib.auth import logout as session_logout
from drf_spectacular.utils import extend_schema
from knox.auth import TokenAuthentication
from knox.models import AuthToken
from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from agora.accounts import login_attempts, two_factor
from agora.accounts.signout import do_log_out_everywhere, do_revoke_api_token
from api.auth.serializers import LogoutAllResponseSerializer, TokenRequestSerializer, TokenResponseSerializer


class ObtainTokenView(APIView):
    """Log in with user name and password (and a code where required); a token for the API."""

    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"
    serializer_class = TokenRequestSerializer

    @extend_schema(
        operation_id="auth_token_create",
        request=TokenRequestSerializer,
        responses={200: TokenResponseSerializer},
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        username = str(request.data.get("username") or "") if hasattr(request.data, "get") else ""
        if login_attempts.is_blocked(request, username):
            raise login_attempts.throttled_error()
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        if not serializer.is_valid():
            if getattr(request, "agora_locked_out", False):
                raise login_attempts.throttled_error()
            serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        if two_factor.must_verify(user):
            if not two_factor.has_second_factor(user):
                raise two_factor.OTP_NOT_ENROLLED()
            code = serializer.validated_data.get("otp_token", "")
            if not code:
                raise two_factor.OTP_REQUIRED(fields={"otp_token": [two_factor.OTP_REQUIRED().message()]})
            if two_factor.verified_device(user, code) is None:
                login_attempts.record_failure(request, username)
                raise two_factor.OTP_INVALID(fields={"otp_token": [two_factor.OTP_INVALID().message()]})
        login_attempts.forget_failures(request, username)
        instance, token = AuthToken.objects.create(user=user)
        return Response(TokenResponseSerializer({"token": token, "expiry": instance.expiry}).data)


class LogoutView(APIView):
    """Revoke the token this request presents (the other tokens of the user stay valid)."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="auth_logout_create", request=None, responses={204: None}, tags=["auth"])
    def post(self, request: Request) -> Response:
        do_revoke_api_token(request.auth, acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllView(APIView):
    """Log out everywhere: every API token and every web session of the user ends now."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="auth_logout_all_create",
        request=None,
        responses={200: LogoutAllResponseSerializer},
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        revoked = do_log_out_everywhere(request.user, acting_user=request.user)
        if request.auth is None:  # a session: end this one's cookie too
            session_logout(request._request)
        return Response({"api_tokens_revoked": revoked})
