"""The OpenAPI 3 schema is generated without errors, validates, and the docs work offline."""

from __future__ import annotations

import pytest
import yaml
from openapi_spec_validator import validate


@pytest.fixture
def schema_text(api, people) -> str:
    response = api(people.official("utrecht"), "utrecht").get("/api/schema/")
    assert response.status_code == 200
    return response.content.decode()


def test_schema_validates(schema_text):
    document = yaml.safe_load(schema_text)
    validate(document)
    assert document["openapi"].startswith("3.")
    assert any(path.startswith("/api/v1/") for path in document["paths"])


def test_every_registered_viewset_is_documented(schema_text):
    from api.routes import router

    paths = yaml.safe_load(schema_text)["paths"]
    assert router.registry, "no viewsets registered"
    for prefix, _viewset, _basename in router.registry:
        assert any(path.startswith(f"/api/v1/{prefix}/") for path in paths), prefix


def test_docs_are_served_from_the_sidecar(api, people):
    response = api(people.official("utrecht"), "utrecht").get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    # Offline: the Swagger UI assets come from our own static files, not a CDN.
    assert "/static/drf_spectacular_sidecar/" in page
    assert "cdn.jsdelivr" not in page and "unpkg.com" not in page
