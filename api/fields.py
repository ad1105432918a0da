"""Serializer fields shared by the API's input serializers."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from agora.ids import parse_id

_ASCII_INTEGER = re.compile(r"-?[0-9]+")


class IdField(serializers.IntegerField):
    """A database id sent in a body or a query string, read by :func:`agora.ids.parse_id`.

    DRF's ``IntegerField`` calls ``int()``, which reads Arabic-Indic ("٣") and full-width
    digits as numbers: an id is ASCII digits within PostgreSQL's bigint, everywhere.

    ``boundary=True`` is for ids whose action answers an id that cannot be one here with its own
    boundary error (``council_crosses_boundary``: "not of this municipality"): ASCII integers of
    any size pass through to the action, anything else is ``validation_failed`` here.
    """

    def __init__(self, *, boundary: bool = False, **kwargs: Any) -> None:
        self.boundary = boundary
        if not boundary:
            kwargs.setdefault("min_value", 1)
            kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> int:
        text = data.strip() if isinstance(data, str) else data
        if self.boundary:
            if isinstance(text, bool) or not _ASCII_INTEGER.fullmatch(str(text)):
                self.fail("invalid")
            return int(str(text))
        value = parse_id(text)
        if value is None:
            self.fail("invalid")
        return value


class DateTimeField(serializers.DateTimeField):
    """DRF's ``DateTimeField``, answering a moment Python cannot convert with ``validation_failed``.

    DRF converts a parsed moment to UTC to check it exists in the current time zone; for
    ``0001-01-01`` in Europe/Amsterdam (UTC+0:19:32 then) that lands before year 1, and for
    ``9999-12-31T23:59-05:00`` after year 9999: ``OverflowError``, a 500. Such a moment is refused
    on its field here; whether a representable one makes sense (a meeting in 9999) stays the
    actions' rule (``date_out_of_range``).
    """

    default_error_messages = {
        "out_of_range": _("Enter a date and time between the years 1 and 9999."),
    }

    def enforce_timezone(self, value: datetime) -> datetime:
        try:
            return super().enforce_timezone(value)
        except (OverflowError, ValueError):  # the conversion left the years 1 to 9999
            self.fail("out_of_range")
