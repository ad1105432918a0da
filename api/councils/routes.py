"""Routes of the councils API."""

from django.urls import URLPattern, path

from api.councils.agenda_views import AgendaItemViewSet
from api.councils.meeting_views import MeetingViewSet
from api.councils.views import CouncilRulesView, CouncilViewSet
from api.routes import router

router.register("councils", CouncilViewSet, basename="council")
router.register("council-meetings", MeetingViewSet, basename="council-meeting")
router.register("council-agenda-items", AgendaItemViewSet, basename="council-agenda-item")

extra_urlpatterns: list[URLPattern] = [
    path("council-rules/", CouncilRulesView.as_view(), name="council-rules"),
]
