"""The OpenAPI schema says what the API really answers: every error status, one error shape.

drf-spectacular documents what a view declares; the API's exception handler (``api.errors``)
answers on *every* route with ``{"code", "detail", "fields"}``: 400 for an unreadable body or a
bad query (a page past the end is 404), 401 without credentials, 403 for a non-member, 404 for
what is missing or not one's own, 409 for a write that conflicts, 415 for a body of another
type, 429 when throttled. A client generated from the schema must know those, so this
``AutoSchema`` adds each one (with the error body) to every operation that can answer it,
keeping what a view documents itself. ``tests/api/test_schema_conformance.py`` checks the
answers against the schema with schemathesis.

A viewset whose ``list`` returns one object (the nominations comparison) names it in
``single_object_actions``, so it is not documented as an array. A viewset that shows allies a
narrower record than staff (their own key figure, their council) names the ally's serializer per
action in ``ally_serializers``: the success body is then documented as either (``anyOf``).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular import openapi
from rest_framework import serializers


class ApiErrorSerializer(serializers.Serializer):
    """The one error body of the API (ADR 0003)."""

    code = serializers.CharField(help_text="Stable, snake_case English: branch on this.")
    detail = serializers.CharField(help_text="Dutch, or English on Accept-Language: en.")
    fields = serializers.DictField(help_text="Per field, what is wrong with it (may be empty).")


ERRORS_EVERYWHERE = {
    "400": "The request (body or query) is not valid; see the code and fields.",
    "401": "No valid credentials were sent.",
    "403": "Not allowed for this user in this municipality.",
    "404": "Not found, or not visible to this user (also a page past the end).",
}
ERRORS_OF_WRITES = {
    "409": "Conflicts with the current state; see the code.",
    "415": "The body's content type is not supported here.",
}
THROTTLED = {"429": "Too many requests; try again later (Retry-After)."}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's, with the error responses every route can give (see the module)."""

    def _is_list_view(self, serializer: Any = None) -> bool:
        if getattr(self.view, "action", None) in getattr(self.view, "single_object_actions", ()):
            return False
        return super()._is_list_view(serializer)

    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        self._add_ally_variant(responses, direction)
        errors = dict(ERRORS_EVERYWHERE)
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            errors.update(ERRORS_OF_WRITES)
        if getattr(self.view, "throttle_classes", None):
            errors.update(THROTTLED)
        for code, description in errors.items():
            documented = responses.get(code)
            if documented and documented.get("content"):
                continue  # the view documents its own body for this status
            error = self._get_response_for_code(ApiErrorSerializer, code, direction=direction)
            error["description"] = (documented or {}).get("description") or description
            responses[code] = error
        return responses

    def _add_ally_variant(self, responses: dict[str, Any], direction: str) -> None:
        """The success body as the staff's or the ally's serializer (``ally_serializers``)."""
        ally = getattr(self.view, "ally_serializers", {}).get(getattr(self.view, "action", None))
        success = responses.get("200")
        if ally is None or not success or "application/json" not in success.get("content", {}):
            return
        many = self._is_list_view()
        variant = self._get_response_for_code(ally(many=many) if many else ally, "200", direction=direction)
        content = success["content"]["application/json"]
        content["schema"] = {"anyOf": [content["schema"], variant["content"]["application/json"]["schema"]]}
