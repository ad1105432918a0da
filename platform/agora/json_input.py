"""JSON from outside, read with a nesting limit: a deep document is refused, never a 500.

Python's ``json`` module recurses once per nesting level, so ``[[[[...]]]]`` 100,000 levels deep
raises ``RecursionError`` (a 500, also for anonymous clients on the token endpoint; a crashed
frame handler on the crisis-room socket). No request or socket frame of this platform nests more
than a few levels. :func:`loads_bounded` parses with the C decoder, turns its ``RecursionError``
into :class:`JsonTooDeep`, and refuses a parsed document deeper than :data:`MAX_DEPTH` with one
iterative walk over its containers.

A text pre-scan counting brackets outside strings was tried first and rejected: in Python it cost
seven times the parse itself on a 1.5 MB body (3 s on a loaded machine), a denial of service of
its own. The walk costs about half the parse. Used by the API's JSON parser (``api.parsers``)
and the crisis-room socket.
"""

from __future__ import annotations

import json
from typing import Any

# The deepest legitimate input (a crisis-room frame, a PATCH with a list of ids) nests three levels.
MAX_DEPTH = 32


class JsonTooDeep(ValueError):
    """The document nests deeper than allowed; a ``ValueError`` like every other unreadable body."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"JSON nested deeper than {limit} levels")
        self.limit = limit


def depth_exceeds(value: Any, limit: int = MAX_DEPTH) -> bool:
    """True if the parsed ``value`` holds lists or dicts nested deeper than ``limit``.

    Iterative (no recursion), and only containers are pushed: about half the cost of the parse.
    """
    if type(value) is not dict and type(value) is not list:
        return False
    stack: list[tuple[Any, int]] = [(value, 1)]
    pop, push = stack.pop, stack.append
    while stack:
        item, depth = pop()
        if depth > limit:
            return True
        for child in item.values() if type(item) is dict else item:
            kind = type(child)
            if kind is dict or kind is list:
                push((child, depth + 1))
    return False


def loads_bounded(text: str | bytes, limit: int = MAX_DEPTH) -> Any:
    """``json.loads`` that raises :class:`JsonTooDeep` (a ``ValueError``) for deep documents."""
    try:
        value = json.loads(text)
    except RecursionError as error:
        raise JsonTooDeep(limit) from error
    if depth_exceeds(value, limit):
        raise JsonTooDeep(limit)
    return value
