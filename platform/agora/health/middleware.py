"""``/healthz``, ``/readyz`` and ``/metrics`` answered before tenant resolution, so they work on
every host (a load balancer probes by IP address, an operator by a municipality's host, a
Prometheus scraper by each process's address)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse

from agora.health.checks import check_channel_layer, check_database
from agora.observability.endpoint import metrics_view


class HealthCheckMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path.rstrip("/")
        if path in ("/healthz", "/readyz", "/metrics"):
            request.agora_route = path  # type: ignore[attr-defined]  # the access log's route
        if path == "/metrics":
            return metrics_view(request)
        if path == "/healthz":
            return JsonResponse({"status": "ok"})
        if path == "/readyz":
            database_ok, database = check_database()
            layer_ok, layer = check_channel_layer()
            ready = database_ok and layer_ok
            return JsonResponse(
                {"status": "ok" if ready else "unavailable", "database": database, "channel_layer": layer},
                status=200 if ready else 503,
            )
        return self.get_response(request)
