"""Template filters of the national pages: a code's label, and a stored time in local time."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

from agora.national.labels import label

register = template.Library()


@register.filter
def national_label(code: object, kind: str) -> object:
    """``{{ d.level|national_label:"level" }}``: the words for a code (see agora.national.labels)."""
    return label(kind, code)


@register.filter
def as_local(value: object) -> object:
    """An ISO timestamp of the read model (UTC) as an aware datetime in the site's time zone.

    The read model's times are ISO strings in UTC; a page shows them as the municipality's own
    pages do (Europe/Amsterdam), so the same crisis has the same time on both. A plain date stays
    a date; anything unreadable is returned unchanged.
    """
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value) if "T" in value else dt.date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value, dt.UTC)
        return timezone.localtime(value)
    return value
