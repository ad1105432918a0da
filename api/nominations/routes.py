"""Routes of the nominations API: ``/api/v1/nominations/imports/`` and ``/api/v1/nominations/comparison/``."""

from django.urls import URLPattern

from api.nominations.views import ComparisonViewSet, ImportRunViewSet
from api.routes import router

router.register("nominations/imports", ImportRunViewSet, basename="nomination-import")
router.register("nominations/comparison", ComparisonViewSet, basename="nomination-comparison")

extra_urlpatterns: list[URLPattern] = []
