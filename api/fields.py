"""Serializer fields shared by the API's input serializers."""

from __future__ import annotations

import re
from typing import Any

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
