"""The API's JSON parser: DRF's, with a nesting limit and a stable error code.

DRF's ``JSONParser`` hands the body to ``json.load``; a deeply nested body raises
``RecursionError`` there, which DRF does not catch (a 500). This one reads the body through
:func:`agora.json_input.loads_bounded` and answers ``json_too_deep`` (400) instead; any other
unreadable body stays DRF's ``parse_error``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from agora.errors import error_code
from agora.json_input import JsonTooDeep, loads_bounded

JSON_TOO_DEEP = error_code(
    "json_too_deep",
    en="The request body nests deeper than {limit} levels.",
    nl="De inhoud van het verzoek is dieper genest dan {limit} niveaus.",
)


class JSONParser(parsers.JSONParser):
    """``application/json`` with a depth limit (see ``agora.json_input``)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            return loads_bounded(stream.read().decode(encoding))
        except JsonTooDeep as error:
            raise JSON_TOO_DEEP(limit=error.limit) from error
        except ValueError as error:  # includes UnicodeDecodeError
            raise ParseError(f"JSON parse error - {error}") from error


DEFAULT_PARSERS = [JSONParser, parsers.FormParser, parsers.MultiPartParser]
