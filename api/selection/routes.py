"""Routes of the selection API."""

from django.urls import URLPattern
from rest_framework.routers import BaseRouter

from api.selection.views import SelectionCaseViewSet


def register(router: BaseRouter) -> None:
    """Register this app's viewsets on the one v1 router (called by ``api.routes``, in URL order)."""
    router.register("selection-cases", SelectionCaseViewSet, basename="selection-case")


extra_urlpatterns: list[URLPattern] = []
