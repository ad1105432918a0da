"""Ids as clients send them. One parser, so no endpoint answers a silly id with a 500.

``int()`` reads "²" as an error and other scripts' digits ("٣") as numbers, and a value outside
PostgreSQL's bigint makes the query itself fail. Only ASCII digits within bigint are ids.
"""

from __future__ import annotations

import re
from typing import Any

from agora.errors import NOT_FOUND

_ASCII_ID = re.compile(r"[0-9]{1,19}")
_BIGINT_MAX = 2**63 - 1


def parse_id(raw: Any) -> int | None:
    """``raw`` as a database id, or None when it cannot be one."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if 0 < raw <= _BIGINT_MAX else None
    text = str(raw)
    if not _ASCII_ID.fullmatch(text):
        return None
    value = int(text)
    return value if 0 < value <= _BIGINT_MAX else None


def id_or_not_found(raw: Any) -> int:
    """``raw`` as a database id, else the ``not_found`` error (missing and malformed look alike)."""
    value = parse_id(raw)
    if value is None:
        raise NOT_FOUND()
    return value
