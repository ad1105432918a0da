"""/metrics: absent without a token, 401 with a wrong one, the exposition with the right one; and
the HTTP and login counters move."""

from __future__ import annotations

import pytest
from django.test import Client
from prometheus_client import REGISTRY

from agora.municipalities.provisioning import host_for
from tests.helpers import assert_error

TOKEN = "scrape-me-0123456789abcdef"
METRIC_NAMES = (
    "agora_http_requests_total",
    "agora_http_request_duration_seconds",
    "agora_websocket_open_sockets",
    "agora_channel_layer_gaps_total",
    "agora_channel_layer_gap_events_total",
    "agora_crisis_convening_seconds",
    "agora_login_failures_total",
)


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
def token(settings) -> str:
    settings.AGORA_METRICS_TOKEN = TOKEN
    return TOKEN


@pytest.mark.parametrize("host", ["localhost", "utrecht", "10.1.2.3"])
def test_without_a_configured_token_there_is_no_metrics_endpoint(settings, utrecht, host) -> None:
    settings.AGORA_METRICS_TOKEN = ""
    client = Client(HTTP_HOST=host_for(host) if host == "utrecht" else host)
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer anything")
    assert_error(response, "not_found", 404)


@pytest.mark.parametrize(
    "authorization", [None, "", "Bearer", "Bearer wrong", f"Token {TOKEN}", f"Bearer {TOKEN}x", TOKEN]
)
def test_a_missing_or_wrong_token_is_a_401(token, authorization) -> None:
    extra = {} if authorization is None else {"HTTP_AUTHORIZATION": authorization}
    response = Client(HTTP_HOST="localhost").get("/metrics", **extra)
    assert_error(response, "not_authenticated", 401)
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert b"agora_http" not in response.content


@pytest.mark.parametrize("host", ["localhost", "utrecht", "10.1.2.3:8000"])
def test_the_right_token_gets_every_metric_on_every_host(token, utrecht, host) -> None:
    client = Client(HTTP_HOST=host_for(host) if host == "utrecht" else host)
    response = client.get("/metrics/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response["Cache-Control"] == "no-store"
    text = response.content.decode()
    for name in METRIC_NAMES:
        assert f"# TYPE {name} " in text, name


def test_a_request_moves_the_request_counter_and_the_latency_histogram(token, utrecht) -> None:
    labels = {"route": "/login/", "method": "GET"}
    before = sample("agora_http_requests_total", **labels, status="2xx")
    before_count = sample("agora_http_request_duration_seconds_count", **labels)
    response = Client(HTTP_HOST=host_for("utrecht")).get("/login/?next=/signalen/42/")
    assert response.status_code == 200
    assert sample("agora_http_requests_total", **labels, status="2xx") == before + 1
    assert sample("agora_http_request_duration_seconds_count", **labels) == before_count + 1
    scraped = Client(HTTP_HOST="localhost").get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}")
    text = scraped.content.decode()
    assert 'agora_http_requests_total{method="GET",route="/login/",status="2xx"}' in text
    assert "/signalen/42/" not in text and "next=" not in text  # patterns only, never paths


def test_an_unrouted_path_is_one_label_not_a_label_per_path(utrecht) -> None:
    before = sample("agora_http_requests_total", route="<unmatched>", method="GET", status="4xx")
    client = Client(HTTP_HOST=host_for("utrecht"))
    for n in range(3):
        client.get(f"/no/such/page/{n}/")
    after = sample("agora_http_requests_total", route="<unmatched>", method="GET", status="4xx")
    assert after == before + 3


def test_a_failed_login_is_counted_by_reason_only(utrecht, people) -> None:
    user = people.official("utrecht")
    before = sample("agora_login_failures_total", reason="bad_credentials")
    client = Client(HTTP_HOST=host_for("utrecht"), REMOTE_ADDR="203.0.113.77")
    response = client.post("/login/", {"username": user.username, "password": "wrong guess"})
    assert response.status_code == 200
    assert sample("agora_login_failures_total", reason="bad_credentials") == before + 1
    response = client.post("/api/v1/auth/token/", {"username": "nobody-at-all", "password": "x"})
    assert response.status_code == 400
    assert sample("agora_login_failures_total", reason="bad_credentials") == before + 2


def test_a_locked_out_attempt_is_counted_as_such(utrecht, people) -> None:
    from agora.accounts import login_attempts

    user = people.official("utrecht")
    client = Client(HTTP_HOST=host_for("utrecht"), REMOTE_ADDR="203.0.113.78")
    for _ in range(login_attempts.MAX_FAILURES):
        client.post("/login/", {"username": user.username, "password": "wrong guess"})
    before = sample("agora_login_failures_total", reason="locked_out")
    client.post("/login/", {"username": user.username, "password": "correct horse battery staple"})
    assert sample("agora_login_failures_total", reason="locked_out") == before + 1
