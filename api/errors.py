"""One error shape for the whole API: ``{"code", "detail", "fields"}`` with stable codes.

Domain errors carry their own code; DRF's and Django's errors are mapped to fixed codes here.
Messages follow the request's language (Dutch by default, English on ``Accept-Language: en``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from agora.errors import NOT_FOUND, DomainError, error_code
from agora.errors import PERMISSION_DENIED as FORBIDDEN

VALIDATION_FAILED = error_code(
    "validation_failed",
    en="The input is not valid; see the fields.",
    nl="De invoer is niet geldig; zie de velden.",
)
NOT_AUTHENTICATED = error_code("not_authenticated", en="Please log in.", nl="Log eerst in.", status=401)
METHOD_NOT_ALLOWED = error_code(
    "method_not_allowed",
    en="This method is not allowed here.",
    nl="Deze methode is hier niet toegestaan.",
    status=405,
)
UNSUPPORTED_MEDIA = error_code(
    "unsupported_media_type",
    en="Unsupported content type.",
    nl="Dit type inhoud wordt niet ondersteund.",
    status=415,
)
PARSE_ERROR = error_code(
    "parse_error", en="The request body could not be read.", nl="De inhoud van het verzoek is onleesbaar."
)
THROTTLED = error_code("throttled", en="Too many requests.", nl="Te veel verzoeken.", status=429)
CONFLICT = error_code(
    "conflict",
    en="This conflicts with existing data.",
    nl="Dit botst met bestaande gegevens.",
    status=409,
)

_DRF_MAP = {
    exceptions.NotAuthenticated: NOT_AUTHENTICATED,
    exceptions.AuthenticationFailed: NOT_AUTHENTICATED,
    exceptions.PermissionDenied: FORBIDDEN,
    exceptions.NotFound: NOT_FOUND,
    exceptions.MethodNotAllowed: METHOD_NOT_ALLOWED,
    exceptions.UnsupportedMediaType: UNSUPPORTED_MEDIA,
    exceptions.ParseError: PARSE_ERROR,
    exceptions.Throttled: THROTTLED,
}


def error_response(error: DomainError, headers: dict[str, str] | None = None) -> Response:
    return Response(
        {"code": error.code, "detail": error.message(), "fields": error.fields},
        status=error.status,
        headers=headers,
    )


def _fields(detail: Any) -> dict[str, Any]:
    if isinstance(detail, dict):
        return {key: value for key, value in detail.items()}
    if isinstance(detail, list):
        return {"non_field_errors": detail}
    return {"non_field_errors": [detail]}


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DomainError):
        return error_response(exc)
    if isinstance(exc, Http404 | DjangoPermissionDenied):
        exc = exceptions.NotFound() if isinstance(exc, Http404) else exceptions.PermissionDenied()
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return error_response(VALIDATION_FAILED(fields=detail))
    if isinstance(exc, IntegrityError):
        return error_response(CONFLICT())
    if isinstance(exc, exceptions.ValidationError):
        return error_response(VALIDATION_FAILED(fields=_fields(exc.detail)))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    spec = next((spec for cls, spec in _DRF_MAP.items() if isinstance(exc, cls)), None)
    if spec is None:
        code = getattr(exc, "default_code", "error")
        return Response(
            {"code": code, "detail": str(getattr(exc, "detail", "")), "fields": {}},
            status=response.status_code,
        )
    headers = {k: v for k, v in response.items() if k in ("WWW-Authenticate", "Retry-After", "Allow")}
    result = error_response(spec(), headers=headers)
    if result.status_code != response.status_code:
        result.status_code = response.status_code
    return result


__all__ = ["error_response", "exception_handler", "status"]
