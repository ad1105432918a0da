"""Forget cached actors when what they were resolved from changes within a request or socket call."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from agora.accounts.actors import forget_actors


def _forget(**_kwargs) -> None:
    forget_actors()


def connect() -> None:
    for sender in ("accounts.Membership", "accounts.User", "networkmap.KeyFigure"):
        post_save.connect(_forget, sender=sender, dispatch_uid=f"forget-actors-save-{sender}")
        post_delete.connect(_forget, sender=sender, dispatch_uid=f"forget-actors-delete-{sender}")
