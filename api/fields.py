"""Serializer fields shared by the API's input serializers."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from agora.ids import parse_id


class IdField(serializers.IntegerField):
    """A database id sent in a body or a query string, read by :func:`agora.ids.parse_id`.

    DRF's ``IntegerField`` calls ``int()``, which reads Arabic-Indic ("٣") and full-width
    digits as numbers: an id is ASCII digits within PostgreSQL's bigint, everywhere.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> int:
        value = parse_id(data.strip() if isinstance(data, str) else data)
        if value is None:
            self.fail("invalid")
        return value
