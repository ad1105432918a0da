"""Onboarding a municipality: its first official gets a one-time, expiring set-password link.

Provisioning used to leave a municipality without users (the operator had to reach for
``createsuperuser`` and the admin). Now ``create_municipality --official-email`` (or any caller of
:func:`do_invite_official`) creates the user (no usable password) and the membership with role
``official`` at once, and mails, through Django's mail framework, a link to the set-password
page on the municipality's own host (``/welkom/<uid>/<token>/``).

The link is a signed token, not a stored secret: Django's password-reset token machinery keyed
with its own salt, whose hash covers the user's password hash and last login. Setting the
password therefore spends the link (used once), and it expires after
``AGORA_INVITATION_SECONDS`` (default 7 days). An expired link is re-issued by inviting again.
The page only works on the host of a municipality the user is an active member of.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes, force_str
from django.utils.http import base36_to_int, urlsafe_base64_decode, urlsafe_base64_encode

from agora.accounts.models import Membership, User
from agora.accounts.roles import Role
from agora.audit.actions import record_action
from agora.errors import PERMISSION_DENIED
from agora.municipalities.errors import INVITATION_EMAIL_INVALID, INVITATION_INVALID, INVITATION_ROLE_TAKEN
from agora.municipalities.models import Municipality
from agora.municipalities.provisioning import link_for


class InvitationTokens(PasswordResetTokenGenerator):
    """Password-reset tokens with their own salt and lifetime (``AGORA_INVITATION_SECONDS``)."""

    key_salt = "agora.municipalities.onboarding.InvitationTokens"

    def check_token(self, user, token) -> bool:
        if not (user and token) or "-" not in token:
            return False
        ts_b36 = token.split("-", 1)[0]
        try:
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        expected = self._make_token_with_timestamp(user, ts, self.secret)
        if not constant_time_compare(expected, token):
            return False
        return (self._num_seconds(self._now()) - ts) <= settings.AGORA_INVITATION_SECONDS


tokens = InvitationTokens()


@dataclass(frozen=True)
class Invitation:
    user: User
    membership: Membership
    url: str
    new_user: bool


def invitation_path(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return f"/welkom/{uid}/{tokens.make_token(user)}/"


def invitation_url(user: User, municipality: Municipality) -> str:
    return link_for(municipality.slug, invitation_path(user))


def _clean_email(email: str) -> str:
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError as error:
        raise INVITATION_EMAIL_INVALID(fields={"email": ["invalid"]}, email=email) from error
    local, _, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}"


@transaction.atomic
def do_invite_official(municipality: Municipality, email: str, *, acting_user) -> Invitation:
    """Invite ``email`` as an official of ``municipality``: user, membership, audit row, e-mail.

    Only the platform acts here (``acting_user=None``: the provisioning command) or a platform
    operator (superuser). A person who already has an account keeps it (and their password):
    they get the membership, and the link only if they have never set a password. Inviting
    again re-issues the link (the old one stays valid until it expires or a password is set).
    """
    if acting_user is not None and not getattr(acting_user, "is_superuser", False):
        raise PERMISSION_DENIED()
    email = _clean_email(email)
    user = User.objects.filter(email__iexact=email).order_by("pk").first()
    new_user = user is None
    if user is None:
        user = User(username=email[:150], email=email)
        user.set_unusable_password()
        user.save()
    membership = Membership.objects.select_for_update().filter(user=user, municipality=municipality).first()
    if membership is None:
        membership = Membership.objects.create(user=user, municipality=municipality, role=Role.OFFICIAL)
    elif membership.role != Role.OFFICIAL:
        raise INVITATION_ROLE_TAKEN(fields={"email": ["member"]}, role=membership.get_role_display())
    elif not membership.is_active:
        membership.is_active = True
        membership.save(update_fields=["is_active"])
    url = invitation_url(user, municipality) if not user.has_usable_password() else ""
    # No address in the central log: who was invited is the membership it points at.
    record_action(
        "municipalities.official_invited",
        actor=acting_user,
        municipality=municipality,
        obj=membership,
        detail={"new_user": new_user, "link_sent": bool(url)},
    )
    if url:
        transaction.on_commit(lambda: _send(user, municipality, url))
    return Invitation(user=user, membership=membership, url=url, new_user=new_user)


def _send(user: User, municipality: Municipality, url: str) -> None:
    days = max(1, settings.AGORA_INVITATION_SECONDS // 86400)
    send_mail(
        subject=f"Agora – uitnodiging voor {municipality.name} / invitation",
        message=(
            f"U bent uitgenodigd als ambtenaar van {municipality.name} in Agora.\n"
            f"Kies uw wachtwoord via deze link (eenmalig, {days} dagen geldig):\n\n{url}\n\n"
            f"You have been invited as an official of {municipality.name} in Agora.\n"
            f"Choose your password with the link above (once, valid for {days} days).\n"
        ),
        from_email=None,
        recipient_list=[user.email],
    )


def invited_user(uidb64: str, token: str, municipality: Municipality | None) -> User:
    """The user a link is for, if the link is valid and they are an active member here; else 404."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError):
        raise INVITATION_INVALID() from None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if (
        user is None
        or municipality is None
        or not tokens.check_token(user, token)
        or not Membership.objects.filter(user=user, municipality=municipality, is_active=True).exists()
    ):
        raise INVITATION_INVALID()
    return user


@transaction.atomic
def do_accept_invitation(user: User, token: str, password: str, *, municipality: Municipality) -> User:
    """Set the invited user's first password (which spends the link) and audit the acceptance.

    The row is locked and the token checked again under the lock: of two submissions of the same
    link, the second finds the password changed and is refused.
    """
    locked = User.objects.select_for_update().get(pk=user.pk)
    if not tokens.check_token(locked, token):
        raise INVITATION_INVALID()
    locked.set_password(password)
    locked.save(update_fields=["password"])
    record_action(
        "municipalities.invitation_accepted", actor=locked, municipality=municipality, obj=locked, detail={}
    )
    return locked
