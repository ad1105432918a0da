"""The councils' text exports over HTTP: iCalendar feeds and vCard contact sheets.

The bodies are built in ``tenants.councils.exports``; these renderers only label them. Errors
of an export request still come back in the API's one JSON error shape.
"""

from __future__ import annotations

import json
from typing import Any

from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response


class TextRenderer(BaseRenderer):
    """A text export; errors (dicts) still come out as JSON so that clients can read the code."""

    charset = "utf-8"

    def render(self, data: Any, accepted_media_type=None, renderer_context=None) -> bytes:
        if isinstance(data, bytes):
            return data
        if isinstance(data, str):
            return data.encode("utf-8")
        return json.dumps(data, ensure_ascii=False).encode("utf-8")


class ICalendarRenderer(TextRenderer):
    media_type = "text/calendar"
    format = "ics"


class VCardRenderer(TextRenderer):
    media_type = "text/vcard"
    format = "vcf"


class JsonErrorsMixin:
    """Errors of the text exports (iCal, vCard) come back as the API's JSON error shape.

    DRF renders an error with the renderer negotiated for the request; for a ``.vcf`` or
    ``.ics`` request that would label the JSON error as a calendar or a card.
    """

    def handle_exception(self, exc: Exception) -> Response:
        response = super().handle_exception(exc)  # type: ignore[misc]
        request = self.request  # type: ignore[attr-defined]
        if not isinstance(getattr(request, "accepted_renderer", None), JSONRenderer):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return response
