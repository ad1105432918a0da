"""JSON from outside, read with a nesting limit: a deep document is refused before it is parsed.

Python's ``json`` module recurses once per nesting level, so ``[[[[...]]]]`` 100,000 levels deep
raises ``RecursionError`` (a 500, also for anonymous clients on the token endpoint) and a
shallower one still costs the C stack. No request or socket frame of this platform nests more
than a few levels, so :func:`loads_bounded` counts the brackets outside strings first (one linear
pass, no recursion) and refuses anything deeper than :data:`MAX_DEPTH` before ``json`` sees it.
Used by the API's JSON parser (``api.parsers``) and the crisis-room socket.
"""

from __future__ import annotations

import json
import re
from typing import Any

# The deepest legitimate input (a crisis-room frame, a PATCH with a list of ids) nests three levels.
MAX_DEPTH = 32

# A JSON string (with escapes) or one bracket: strings are skipped, brackets counted.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


class JsonTooDeep(ValueError):
    """The document nests deeper than allowed; a ``ValueError`` like every other unreadable body."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"JSON nested deeper than {limit} levels")
        self.limit = limit


def nesting_depth_exceeds(text: str, limit: int = MAX_DEPTH) -> bool:
    """True as soon as ``text`` opens more than ``limit`` arrays or objects at once."""
    depth = 0
    for match in _TOKENS.finditer(text):
        char = match.group()
        if char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


def loads_bounded(text: str | bytes, limit: int = MAX_DEPTH) -> Any:
    """``json.loads`` that raises :class:`JsonTooDeep` (a ``ValueError``) for deep documents."""
    if isinstance(text, bytes | bytearray):
        text = text.decode("utf-8")
    if nesting_depth_exceeds(text, limit):
        raise JsonTooDeep(limit)
    return json.loads(text)
