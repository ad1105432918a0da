"""Routes of the selection API."""

from django.urls import URLPattern

from api.routes import router
from api.selection.views import SelectionCaseViewSet

router.register("selection-cases", SelectionCaseViewSet, basename="selection-case")

extra_urlpatterns: list[URLPattern] = []
