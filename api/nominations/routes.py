"""Routes of the nominations API: ``/api/v1/nominations/imports/`` and ``/api/v1/nominations/comparison/``."""

from django.urls import URLPattern
from rest_framework.routers import BaseRouter

from api.nominations.views import ComparisonViewSet, ImportRunViewSet


def register(router: BaseRouter) -> None:
    """Register this app's viewsets on the one v1 router (called by ``api.routes``, in URL order)."""
    router.register("nominations/imports", ImportRunViewSet, basename="nomination-import")
    router.register("nominations/comparison", ComparisonViewSet, basename="nomination-comparison")


extra_urlpatterns: list[URLPattern] = []
