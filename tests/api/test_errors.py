"""The one error shape, with stable codes and messages in Dutch and English."""

from __future__ import annotations

from django.utils import translation

from agora.errors import DomainError, error_code, registered_codes
from tests.helpers import assert_error


def test_anonymous_gets_the_error_shape_in_english_and_dutch(api, utrecht):
    assert_error(api(None, "utrecht", language="en").get("/api/v1/"), "not_authenticated")
    body = api(None, "utrecht", language="nl").get("/api/v1/").json()
    assert body["detail"] == "Log eerst in."
    body = api(None, "utrecht", language="en").get("/api/v1/").json()
    assert body["detail"] == "Please log in."


def test_stranger_is_forbidden_with_a_code(api, people):
    response = api(people.stranger(), "utrecht").get("/api/v1/")
    assert_error(response, "permission_denied", 403)


def test_member_of_another_municipality_is_forbidden(api, people):
    response = api(people.official("amersfoort"), "utrecht").get("/api/v1/")
    assert_error(response, "permission_denied", 403)


def test_domain_error_message_follows_language():
    spec = error_code("test_only_code", en="Too many: {n}.", nl="Te veel: {n}.")
    error = spec(n=3)
    assert isinstance(error, DomainError)
    with translation.override("nl"):
        assert error.message() == "Te veel: 3."
    with translation.override("en"):
        assert error.message() == "Too many: 3."
    assert registered_codes()["test_only_code"] is spec


# The one code that is the server's side, not the request's: the database away or the pool exhausted
# (ADR 0025). It is a 503 so clients and proxies retry; every other code is the client's to fix.
SERVICE_UNAVAILABLE_CODES = {"database_unavailable"}


def test_every_code_has_both_languages():
    for code, spec in registered_codes().items():
        assert spec.en.strip() and spec.nl.strip(), code
        assert spec.en != spec.nl or code.startswith("test_"), f"{code}: Dutch message missing"
        if code in SERVICE_UNAVAILABLE_CODES:
            assert spec.status == 503, code
        else:
            assert 400 <= spec.status < 500, code


def test_redeclaring_a_code_differently_is_refused():
    import pytest

    error_code("test_stable", en="A", nl="B")
    with pytest.raises(ValueError):
        error_code("test_stable", en="A changed", nl="B")


def test_no_credentials_is_a_401_that_says_how_to_authenticate(api, utrecht):
    """RFC 9110: a 401 carries WWW-Authenticate; a 403 (as before) told clients nothing to try."""
    for path in ("/api/v1/", "/api/v1/key-figures/", "/api/v1/signals/"):
        response = api(None, "utrecht").get(path)
        assert_error(response, "not_authenticated", 401)
        assert response["WWW-Authenticate"].startswith("Token"), path
    response = api(None, "utrecht").generic("POST", "/api/v1/signals/", "{}", content_type="application/json")
    assert response.status_code == 401
