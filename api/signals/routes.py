"""Routes of the signals API: ``/api/v1/signals/`` and ``/api/v1/notices/``."""

from django.urls import URLPattern
from rest_framework.routers import BaseRouter

from api.signals.views import NoticeViewSet, SignalViewSet


def register(router: BaseRouter) -> None:
    """Register this app's viewsets on the one v1 router (called by ``api.routes``, in URL order)."""
    router.register("signals", SignalViewSet, basename="signal")
    router.register("notices", NoticeViewSet, basename="notice")


extra_urlpatterns: list[URLPattern] = []
