"""Append-only history rows: evidence of who decided what, written once, never rewritten.

Selection approvals and transitions, meeting and agenda-item status changes (and the crisis log
after them) share these bases, so that no admin or shell slip updates or deletes such a row.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """An attempt to change or delete a row that is evidence of a decision."""


class AppendOnlyModel(models.Model):
    """Inserted once; never updated or deleted (history stays)."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{self._meta.label} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError(f"{self._meta.label} rows are append-only")


class StatusChange(AppendOnlyModel):
    """One move of a workflow row (``agora.workflow``): who moved it and when.

    Subclasses add the foreign key to their row and ``from_status`` / ``to_status`` with their
    workflow's choices (``from_status`` empty on the first row: the row being created).
    """

    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    changed_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{getattr(self, 'from_status', '') or '-'} → {getattr(self, 'to_status', '')}"
