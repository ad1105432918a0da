"""One login across hosts: a signed, short-lived, single-use hand-off from the public host.

Session cookies stay host-only (a cookie for ``.localhost`` is refused by browsers, and a
cookie shared by every municipality's host would let a script on one host ride the session on
another). Instead the public host, where the user logged in, mints a token for ONE
municipality the user is an active member of; that municipality's host redeems it once, within
``MAX_AGE`` seconds, and starts its own session. A's session never acts on B: B's host only
logs in a user who is a member of B at the moment of redemption (docs/adr/0010-web-pages.md).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.core import signing
from django.core.cache import cache

from agora.accounts.actors import actor_for
from agora.accounts.models import User
from agora.errors import error_code
from agora.municipalities.models import Municipality

SALT = "agora.accounts.handoff"
MAX_AGE = 60  # seconds: the redirect follows at once

HANDOFF_INVALID = error_code(
    "handoff_invalid",
    en="This sign-in link is invalid, expired or already used; log in again.",
    nl="Deze inloglink is ongeldig, verlopen of al gebruikt; log opnieuw in.",
    status=403,
)
HANDOFF_NOT_A_MEMBER = error_code(
    "handoff_not_a_member",
    en="You are not a member of this municipality.",
    nl="U bent geen lid van deze gemeente.",
    status=403,
)


@dataclass(frozen=True)
class HandOff:
    user: User
    language: str
    # The second factor verified on the public host (django-otp's persistent id), carried over
    # so that one login asks for one code; the redeeming host checks it is the user's own.
    device_id: str = ""


def mint_handoff(user: User, municipality: Municipality, *, language: str = "", device_id: str = "") -> str:
    """A token that lets ``user`` start a session on ``municipality``'s host, once."""
    if not actor_for(user, municipality).is_member:
        raise HANDOFF_NOT_A_MEMBER()
    payload = {"u": user.pk, "m": municipality.pk, "n": secrets.token_urlsafe(16), "l": language[:8]}
    if device_id:
        payload["d"] = device_id
    return signing.dumps(payload, salt=SALT, compress=True)


def redeem_handoff(token: str, municipality: Municipality) -> HandOff:
    """The user the token was minted for, if it is genuine, fresh, unused, for THIS municipality,
    and the user is still an active member here. Redeeming marks it used (in the shared cache,
    so every web process agrees), whatever the outcome after the signature check."""
    try:
        payload = signing.loads(token or "", salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature as error:  # also SignatureExpired
        raise HANDOFF_INVALID() from error
    if not isinstance(payload, dict) or payload.get("m") != municipality.pk:
        raise HANDOFF_INVALID()
    # add() is atomic in Redis and locmem: the first redemption wins, a replay finds the key.
    if not cache.add(f"handoff:{payload.get('n')}", 1, timeout=MAX_AGE * 2):
        raise HANDOFF_INVALID()
    user = User.objects.filter(pk=payload.get("u"), is_active=True).first()
    if user is None or not actor_for(user, municipality).is_member:
        raise HANDOFF_NOT_A_MEMBER()
    return HandOff(user=user, language=str(payload.get("l") or ""), device_id=str(payload.get("d") or ""))
