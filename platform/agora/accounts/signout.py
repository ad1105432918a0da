"""Ending a user's ways in: one API token, or every token and every session at once.

API tokens are knox tokens (stored as a hash, expiring). Sessions end through the user's
session epoch (``User._get_session_auth_hash``): rotating it makes every session of the user,
on every host, fail its hash check at its next request, with no session table to search. A
right that ends (account deactivated, membership ended) revokes the tokens too
(``realtime.revocation``, which also closes the sockets).
"""

from __future__ import annotations

import secrets

from django.db import transaction
from knox.models import AuthToken

from agora.accounts.models import User
from agora.audit.actions import record_action
from agora.errors import PERMISSION_DENIED


def revoke_api_tokens(user_id: int | None) -> int:
    """Delete every API token of the user; the number deleted."""
    if not user_id:
        return 0
    deleted, _ = AuthToken.objects.filter(user_id=user_id).delete()
    return deleted


@transaction.atomic
def do_revoke_api_token(token: AuthToken, *, acting_user: User) -> None:
    """Log out one API client: the token it presented stops working now."""
    if token.user_id != acting_user.pk:
        raise PERMISSION_DENIED()
    token.delete()
    record_action("accounts.api_token_revoked", actor=acting_user, obj=acting_user)


@transaction.atomic
def do_log_out_everywhere(user: User, *, acting_user: User) -> int:
    """End every session and API token of ``user`` (themselves, or a platform operator for them).

    Returns the number of API tokens revoked. The caller's own session ends too: log out of it
    (``django.contrib.auth.logout``) to clear its cookie at once.
    """
    from realtime.revocation import LOGGED_OUT, disconnect_user_on_commit, schemas_of

    if acting_user.pk != user.pk and not acting_user.is_superuser:
        raise PERMISSION_DENIED()
    locked = User.objects.select_for_update().get(pk=user.pk)
    locked.session_epoch = secrets.token_hex(16)
    locked.save(update_fields=["session_epoch"])
    user.session_epoch = locked.session_epoch
    revoked = revoke_api_tokens(user.pk)
    disconnect_user_on_commit(user.pk, schemas_of(user.pk), code=LOGGED_OUT)
    record_action(
        "accounts.logged_out_everywhere",
        actor=acting_user,
        obj=user,
        detail={"api_tokens_revoked": revoked},
    )
    return revoked
