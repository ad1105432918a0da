"""The platform's own error pages: HTML in the user's language, JSON under ``/api/``.

DRF maps errors inside its views (``api.errors``); these handlers catch the rest: a URL that
matches no route (``/api/nope`` included), a ``PermissionDenied`` or ``Http404`` raised in a
page, a CSRF failure, a server error. Under ``/api/`` the answer is the API's one error shape
``{"code", "detail", "fields"}`` with the same codes and messages as DRF's views.
"""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from agora.errors import NOT_FOUND, PERMISSION_DENIED, error_code

CSRF_FAILED = error_code(
    "csrf_failed",
    en="The form had expired or did not come from this site; reload the page and try again.",
    nl=(
        "Het formulier was verlopen of kwam niet van deze site; "
        "laad de pagina opnieuw en probeer het nog eens."
    ),
    status=403,
)
# The database away, or every pooled connection busy past the pool's timeout: not a fault in the
# request, and worth a retry in seconds. A 503 with Retry-After, so clients and proxies retry.
DATABASE_UNAVAILABLE = error_code(
    "database_unavailable",
    en="The database cannot be reached for a moment; try again in a few seconds. Nothing was saved.",
    nl=(
        "De database is even niet bereikbaar; probeer het over enkele seconden opnieuw. "
        "Er is niets opgeslagen."
    ),
    status=503,
)
RETRY_AFTER_SECONDS = 5


def _answer(request: HttpRequest, spec, status: int, title: str, template: str) -> HttpResponse:
    error = spec()
    if request.path.startswith("/api/"):
        return JsonResponse({"code": error.code, "detail": error.message(), "fields": {}}, status=status)
    return render(request, template, {"title": title, "detail": error.message()}, status=status)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _answer(request, NOT_FOUND, 404, _("Page not found"), "errors/404.html")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _answer(request, PERMISSION_DENIED, 403, _("No access"), "errors/403.html")


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context processors here: the failure may be in one of them.
    # Not a domain error code (those are 4xx): a fault of ours, worded by the catalogue.
    code, status = "server_error", 500
    detail = _("Something went wrong on the server; the error has been logged.")
    # Called while the exception is being handled: a database that is away is a 503, not a 500.
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        code, status = DATABASE_UNAVAILABLE.code, DATABASE_UNAVAILABLE.status
        detail = DATABASE_UNAVAILABLE().message()
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"code": code, "detail": detail, "fields": {}}, status=status)
    else:
        from django.template.loader import get_template

        body = get_template("errors/500.html").render({"title": _("Server error"), "detail": detail})
        response = HttpResponse(body, status=status)
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _answer(request, CSRF_FAILED, 403, _("Form expired"), "errors/403.html")


class OneLineForbidden(logging.Filter):
    """A 403 (refused, not broken) is logged as one line: the traceback is dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403 or record.name == "django.security.csrf":
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True
