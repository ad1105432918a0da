"""``/metrics``: the Prometheus exposition, for a scraper holding ``AGORA_METRICS_TOKEN``.

Answered before tenant resolution (``agora.health.middleware``), on every host, so a scraper can
reach each process by its address. Without a configured token the endpoint does not exist (404):
metrics name the municipalities and their activity, which is not for everyone who can reach a
web process. A missing or wrong token is a 401 in the API's error shape.
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from agora.errors import NOT_FOUND, DomainError
from agora.observability.metrics import exposition
from api.errors import NOT_AUTHENTICATED


def _error(error: DomainError, headers: dict[str, str] | None = None) -> JsonResponse:
    return JsonResponse(
        {"code": error.code, "detail": error.message(), "fields": error.fields},
        status=error.status,
        headers=headers,
    )


def _bearer(request: HttpRequest) -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def metrics_view(request: HttpRequest) -> HttpResponse:
    expected = str(getattr(settings, "AGORA_METRICS_TOKEN", "") or "")
    if not expected:
        return _error(NOT_FOUND())
    given = _bearer(request)
    if not given or not hmac.compare_digest(given.encode(), expected.encode()):
        return _error(NOT_AUTHENTICATED(), headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    body, content_type = exposition()
    return HttpResponse(body, content_type=content_type, headers={"Cache-Control": "no-store"})
