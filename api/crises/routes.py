"""Routes of the crisis API: ``/api/v1/crises/`` (the room over REST) and ``/api/v1/crisis-drills/``."""

from django.urls import URLPattern
from rest_framework.routers import BaseRouter

from api.crises.views import CrisisViewSet, DrillViewSet


def register(router: BaseRouter) -> None:
    """Register this app's viewsets on the one v1 router (called by ``api.routes``, in URL order)."""
    router.register("crises", CrisisViewSet, basename="crisis")
    router.register("crisis-drills", DrillViewSet, basename="crisis-drill")


extra_urlpatterns: list[URLPattern] = []
