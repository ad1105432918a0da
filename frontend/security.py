"""Browser-side security headers for every response: a strict CSP and ``no-store``.

A small middleware instead of django-csp: one fixed policy for the whole site needs no nonces
and no settings (ADR 0010). Scripts load only from this server (no inline scripts, no eval), so
a page's JavaScript lives in ``frontend/static/``; data for scripts travels in ``json_script``
blocks, which are not executed. Styles allow inline ``style`` attributes (the admin and the
graph library set them), never an outside host.

Every page and API response may carry personal data (names, phone numbers, signals), so none of
them may be kept by a browser or proxy cache: ``Cache-Control: no-store``. Static files are
served earlier by WhiteNoise with their own long-lived headers and never reach this middleware.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)


class BrowserSecurityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        if not request.path.startswith("/static/"):
            add_never_cache_headers(response)
        return response
