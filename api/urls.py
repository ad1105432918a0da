"""``/api/v1/`` on a municipality's host, plus the OpenAPI schema and offline docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api.auth.views import LogoutAllView, LogoutView, ObtainTokenView
from api.routes import v1_urlpatterns

urlpatterns = [
    path("v1/", include((v1_urlpatterns, "v1"))),
    path("v1/auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("v1/auth/logout/", LogoutView.as_view(), name="api-logout"),
    path("v1/auth/logout-all/", LogoutAllView.as_view(), name="api-logout-all"),
    path("schema/", SpectacularAPIView.as_view(permission_classes=[]), name="schema"),
    # The split view serves its script as a file (no inline script: CSP). ReDoc is dropped: its
    # page loads web fonts from an outside host, and these sites run on closed networks (ADR 0010).
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", permission_classes=[]),
        name="api-docs",
    ),
]
