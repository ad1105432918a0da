"""Routes of the councils API."""

from django.urls import URLPattern, path
from rest_framework.routers import BaseRouter

from api.councils.agenda_views import AgendaItemViewSet
from api.councils.meeting_views import MeetingViewSet
from api.councils.views import CouncilRulesView, CouncilViewSet


def register(router: BaseRouter) -> None:
    """Register this app's viewsets on the one v1 router (called by ``api.routes``, in URL order)."""
    router.register("councils", CouncilViewSet, basename="council")
    router.register("council-meetings", MeetingViewSet, basename="council-meeting")
    router.register("council-agenda-items", AgendaItemViewSet, basename="council-agenda-item")


extra_urlpatterns: list[URLPattern] = [
    path("council-rules/", CouncilRulesView.as_view(), name="council-rules"),
]
