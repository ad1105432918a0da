"""Who must, may or may not use a second factor (TOTP, django-otp), and checking a code.

Police officers, national police analysts and platform operators handle the most sensitive
data (the Police Data Act; every municipality's map for operators): a second factor is
required. Municipal officials may enrol; once they have, their logins ask for it too. Allies
log in on a phone to their own portal: no second factor (an extra app would keep them out more
than it protects, and they see only their own records). docs/security.md, "Authentication".
"""

from __future__ import annotations

import enum

from django_otp import devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice

from agora.accounts.roles import Role
from agora.errors import error_code

OTP_REQUIRED = error_code(
    "otp_required",
    en="Enter the six-digit code from your authenticator app.",
    nl="Vul de zescijferige code uit uw authenticator-app in.",
)
OTP_INVALID = error_code(
    "otp_invalid",
    en="This code is not valid (or was already used). Try the next code.",
    nl="Deze code is ongeldig (of al gebruikt). Probeer de volgende code.",
)
OTP_NOT_ENROLLED = error_code(
    "otp_not_enrolled",
    en="Your role requires two-factor authentication: set it up by logging in on the website first.",
    nl="Uw rol vereist tweestapsverificatie: stel die eerst in door op de website in te loggen.",
    status=403,
)
OTP_NOT_OFFERED = error_code(
    "otp_not_offered",
    en="Two-factor authentication is not offered for your account.",
    nl="Tweestapsverificatie is voor uw account niet beschikbaar.",
    status=403,
)


class TwoFactor(enum.StrEnum):
    REQUIRED = "required"
    OPTIONAL = "optional"
    OFF = "off"


def two_factor_policy(user) -> TwoFactor:
    """What the user's account and active memberships ask (the strictest role wins)."""
    if not getattr(user, "is_authenticated", False):
        return TwoFactor.OFF
    if user.is_superuser or user.is_staff or user.is_national_analyst:
        return TwoFactor.REQUIRED
    from agora.accounts.models import Membership

    roles = set(Membership.objects.filter(user=user, is_active=True).values_list("role", flat=True))
    if Role.POLICE in roles:
        return TwoFactor.REQUIRED
    if Role.OFFICIAL in roles:
        return TwoFactor.OPTIONAL
    return TwoFactor.OFF


def has_second_factor(user) -> bool:
    return any(True for _ in devices_for_user(user, confirmed=True))


def must_verify(user) -> bool:
    """Whether a login of this user is complete only with a code: required, or enrolled anyway."""
    return two_factor_policy(user) == TwoFactor.REQUIRED or has_second_factor(user)


def verified_device(user, code: str) -> TOTPDevice | None:
    """The confirmed device that accepts ``code`` now (each code once; django-otp throttles)."""
    code = (code or "").strip().replace(" ", "")
    if not code.isdigit():
        return None
    for device in devices_for_user(user, confirmed=True):
        if device.verify_is_allowed()[0] and device.verify_token(code):
            return device
    return None
