"""``/api/v1/`` on a municipality's host, plus the OpenAPI schema and offline docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.throttling import ScopedRateThrottle

from api.parsers import DEFAULT_PARSERS
from api.routes import v1_urlpatterns


class ObtainTokenView(ObtainAuthToken):
    """Token login, throttled per client address (password guessing)."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"
    # ObtainAuthToken names DRF's own parsers; anonymous clients get the depth-limited JSON one too.
    parser_classes = DEFAULT_PARSERS


urlpatterns = [
    path("v1/", include((v1_urlpatterns, "v1"))),
    path("v1/auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(permission_classes=[]), name="schema"),
    # The split view serves its script as a file (no inline script: CSP). ReDoc is dropped: its
    # page loads web fonts from an outside host, and these sites run on closed networks (ADR 0010).
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", permission_classes=[]),
        name="api-docs",
    ),
]
