"""The platform's Prometheus metrics, their bounded labels, and the exposition for ``/metrics``.

Labels are bounded by construction: a route is its URL pattern (``api/v1/signals/<int:pk>/``),
never the path that was asked; a status is its class (``2xx``); a tenant is a schema name (one
per municipality); a socket kind is one of three. No user id, no raw path, no query string.

Several daphne processes serve one host: with ``PROMETHEUS_MULTIPROC_DIR`` set (a folder empty
at start, shared by the processes of one host) each process writes its samples there and
``/metrics`` adds them up (``prometheus_client.multiprocess``); unset, the process's own registry.
"""

from __future__ import annotations

import atexit
import os

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess
from prometheus_client.exposition import CONTENT_TYPE_LATEST

SOCKET_KINDS = ("crisis", "events", "national")
# Requests are mostly tens of milliseconds; the pool's 5 s wait (ADR 0025) is the long tail.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# The method's goal for a quorum is tens of minutes; a drill may take hours.
CONVENING_BUCKETS = (60, 120, 300, 600, 900, 1200, 1800, 2700, 3600, 7200, 14400, 43200)

HTTP_REQUESTS = Counter(
    "agora_http_requests",
    "HTTP requests answered, per route pattern, method and status class.",
    ["route", "method", "status"],
)
HTTP_LATENCY = Histogram(
    "agora_http_request_duration_seconds",
    "Time to answer an HTTP request, per route pattern and method.",
    ["route", "method"],
    buckets=LATENCY_BUCKETS,
)
OPEN_SOCKETS = Gauge(
    "agora_websocket_open_sockets",
    "WebSockets open now, per tenant (schema) and socket kind.",
    ["tenant", "kind"],
    multiprocess_mode="livesum",
)
LAYER_GAPS = Counter(
    "agora_channel_layer_gaps",
    "Crisis-room broadcasts that arrived beyond the socket's next sequence number: the channel "
    "layer lost the ones in between, which the socket then read back from PostgreSQL.",
    ["tenant"],
)
LAYER_GAP_EVENTS = Counter(
    "agora_channel_layer_gap_events",
    "Crisis-room events the channel layer lost on the way to a socket (the sum of the gaps' widths).",
    ["tenant"],
)
CONVENING_SECONDS = Histogram(
    "agora_crisis_convening_seconds",
    "Seconds from a crisis's declaration (or a drill's start) to its quorum.",
    ["kind"],
    buckets=CONVENING_BUCKETS,
)
LOGIN_FAILURES = Counter(
    "agora_login_failures",
    "Refused logins, by every way in (login pages, admin, API token): wrong credentials or locked out.",
    ["reason"],
)


def _forget_this_process() -> None:
    """At exit, drop this process's live gauge files: the open-socket gauge counts live processes."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory and os.path.isdir(directory):
        multiprocess.mark_process_dead(os.getpid(), directory)


if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    atexit.register(_forget_this_process)

# Route labels of the requests that no URL pattern answered.
UNMATCHED_ROUTE = "<unmatched>"


def status_class(status: int) -> str:
    return f"{status // 100}xx" if 100 <= status < 600 else "other"


def observe_request(route: str, method: str, status: int, seconds: float) -> None:
    method = method if method in {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"} else "other"
    HTTP_REQUESTS.labels(route=route, method=method, status=status_class(status)).inc()
    HTTP_LATENCY.labels(route=route, method=method).observe(seconds)


def socket_opened(tenant: str | None, kind: str) -> None:
    OPEN_SOCKETS.labels(tenant=tenant or "public", kind=kind).inc()


def socket_closed(tenant: str | None, kind: str) -> None:
    OPEN_SOCKETS.labels(tenant=tenant or "public", kind=kind).dec()


def layer_gap(tenant: str | None, missing: int) -> None:
    LAYER_GAPS.labels(tenant=tenant or "public").inc()
    LAYER_GAP_EVENTS.labels(tenant=tenant or "public").inc(missing)


def convened(kind: str, seconds: float) -> None:
    CONVENING_SECONDS.labels(kind=kind).observe(max(seconds, 0.0))


def login_failed(reason: str) -> None:
    LOGIN_FAILURES.labels(reason=reason).inc()


def exposition() -> tuple[bytes, str]:
    """The metrics in Prometheus' text format: this process's, or every process's of this host."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST
