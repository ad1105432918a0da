"""Close a user's sockets the moment their right to them ends.

A socket checks who connects once, at the handshake; without this, a user who logged out or lost
their membership kept receiving the feed until they closed the tab. Every socket joins its
user's group in its municipality (``realtime.groups.user_group``); a ``agora.disconnect`` message
sent there (after the commit that revoked the right) closes them all:

- logout (``user_logged_out``): every municipality of the user, close code 4401;
- a membership deactivated, deleted or given another role: that municipality, 4403;
- a user account deactivated: every municipality and the national view, 4403;
- the national view (public host) also on logout (4401); a grant revoked, changed or expired
  narrows the stream or closes it (``realtime.national``, ``agora.national.live``);
- a key figure that loses its ally status or its login, or is deleted: that schema, 4403
  (``KeyFigure.is_ally`` is written with a queryset update by the selection actions, which call
  :func:`disconnect_user_on_commit` themselves: a queryset update sends no model signal).

The same moments revoke the user's API tokens (``agora.accounts.signout.revoke_api_tokens``), in
the transaction that ended the right: a deactivated account, or a membership deactivated,
deleted or given another role. Tokens are not per municipality, so all of the user's go; the
user logs in again where they still have a right.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.signals import user_logged_out
from django.db import connection
from django.db.models.signals import post_delete, post_save, pre_save

from realtime.events import send_to_groups_on_commit
from realtime.groups import national_user_group, user_group

LOGGED_OUT = 4401
REVOKED = 4403


def disconnect_user_on_commit(user_id: int | None, schemas: Iterable[str], *, code: int = REVOKED) -> None:
    """After the commit, close every socket of ``user_id`` in the municipalities ``schemas``."""
    targets = sorted({schema for schema in schemas if schema and schema != "public"})
    if not user_id or not targets:
        return
    send_to_groups_on_commit(
        [user_group(schema, user_id) for schema in targets], {"type": "agora.disconnect", "code": code}
    )


def schemas_of(user_id: int) -> list[str]:
    from agora.accounts.models import Membership

    return list(
        Membership.objects.filter(user_id=user_id).values_list("municipality__schema_name", flat=True)
    )


def disconnect_national_on_commit(user_id: int | None, *, code: int = REVOKED) -> None:
    """After the commit, close every national-view socket of ``user_id`` (public host)."""
    if user_id:
        send_to_groups_on_commit([national_user_group(user_id)], {"type": "agora.disconnect", "code": code})


def _on_logout(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    if user is not None and user.pk:
        disconnect_user_on_commit(user.pk, schemas_of(user.pk), code=LOGGED_OUT)
        disconnect_national_on_commit(user.pk, code=LOGGED_OUT)


def _remember(instance: Any, fields: tuple[str, ...], update_fields: Any) -> None:
    if instance.pk is None or (update_fields is not None and not set(fields) & set(update_fields)):
        instance._agora_before = None
        return
    instance._agora_before = type(instance)._default_manager.filter(pk=instance.pk).values(*fields).first()


def _revoke_tokens(user_id: int | None) -> None:
    from agora.accounts.signout import revoke_api_tokens

    revoke_api_tokens(user_id)


def _membership_before(sender, instance, update_fields=None, **kwargs) -> None:
    _remember(instance, ("is_active", "role", "user_id"), update_fields)


def _membership_after(sender, instance, created=False, **kwargs) -> None:
    before = getattr(instance, "_agora_before", None)
    if created or not before:
        return
    if (before["is_active"] and not instance.is_active) or before["role"] != instance.role:
        _revoke_tokens(before["user_id"])
        disconnect_user_on_commit(before["user_id"], [instance.municipality.schema_name])


def _membership_deleted(sender, instance, **kwargs) -> None:
    from agora.municipalities.models import Municipality

    schema = (
        Municipality.objects.filter(pk=instance.municipality_id).values_list("schema_name", flat=True).first()
    )
    _revoke_tokens(instance.user_id)
    disconnect_user_on_commit(instance.user_id, [schema] if schema else [])


def _user_before(sender, instance, update_fields=None, **kwargs) -> None:
    _remember(instance, ("is_active", "is_national_analyst"), update_fields)


def _user_after(sender, instance, created=False, **kwargs) -> None:
    before = getattr(instance, "_agora_before", None)
    if not created and before and before["is_active"] and not instance.is_active:
        _revoke_tokens(instance.pk)
        disconnect_user_on_commit(instance.pk, schemas_of(instance.pk))
        disconnect_national_on_commit(instance.pk)
    elif not created and before and before["is_national_analyst"] and not instance.is_national_analyst:
        disconnect_national_on_commit(instance.pk)  # no longer an analyst: no grant counts


def _key_figure_before(sender, instance, update_fields=None, **kwargs) -> None:
    _remember(instance, ("is_ally", "user_id"), update_fields)


def _key_figure_after(sender, instance, created=False, **kwargs) -> None:
    before = getattr(instance, "_agora_before", None)
    if created or not before or not before["user_id"]:
        return
    if before["user_id"] != instance.user_id or (before["is_ally"] and not instance.is_ally):
        disconnect_user_on_commit(before["user_id"], [connection.schema_name])


def _key_figure_deleted(sender, instance, **kwargs) -> None:
    if instance.user_id:
        disconnect_user_on_commit(instance.user_id, [connection.schema_name])


def connect() -> None:
    user_logged_out.connect(_on_logout, dispatch_uid="realtime-disconnect-on-logout")
    pairs = (
        ("accounts.Membership", _membership_before, _membership_after, _membership_deleted),
        ("accounts.User", _user_before, _user_after, None),
        ("networkmap.KeyFigure", _key_figure_before, _key_figure_after, _key_figure_deleted),
    )
    for sender, before, after, deleted in pairs:
        pre_save.connect(before, sender=sender, dispatch_uid=f"realtime-revoke-pre-{sender}")
        post_save.connect(after, sender=sender, dispatch_uid=f"realtime-revoke-post-{sender}")
        if deleted is not None:
            post_delete.connect(deleted, sender=sender, dispatch_uid=f"realtime-revoke-del-{sender}")
