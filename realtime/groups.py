"""Channel-group names. Every name carries the tenant, so no event can cross a municipality."""

from __future__ import annotations

import re

_ALLOWED = re.compile(r"[^a-zA-Z0-9_.-]")


def group_name(schema_name: str, *parts: str | int) -> str:
    """``t.<schema>.<part>...``: valid for every channel layer (ASCII, under 100 characters)."""
    if not schema_name:
        raise ValueError("a channel group needs a tenant")
    name = ".".join(["t", schema_name, *(_ALLOWED.sub("_", str(part)) for part in parts)])
    if len(name) >= 100:
        raise ValueError(f"channel group name too long: {name!r}")
    return name
