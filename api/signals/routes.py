"""Routes of the signals API: ``/api/v1/signals/`` and ``/api/v1/notices/``."""

from django.urls import URLPattern

from api.routes import router
from api.signals.views import NoticeViewSet, SignalViewSet

router.register("signals", SignalViewSet, basename="signal")
router.register("notices", NoticeViewSet, basename="notice")

extra_urlpatterns: list[URLPattern] = []
