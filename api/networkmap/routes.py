"""Routes of the networkmap API."""

from django.urls import URLPattern, path
from rest_framework.routers import BaseRouter

from api.networkmap.views import (
    CityDistrictViewSet,
    CommunityViewSet,
    KeyFigureViewSet,
    NeighbourhoodViewSet,
    NetworkMapView,
)


def register(router: BaseRouter) -> None:
    """Register this app's viewsets on the one v1 router (called by ``api.routes``, in URL order)."""
    router.register("city-districts", CityDistrictViewSet, basename="city-district")
    router.register("neighbourhoods", NeighbourhoodViewSet, basename="neighbourhood")
    router.register("communities", CommunityViewSet, basename="community")
    router.register("key-figures", KeyFigureViewSet, basename="key-figure")


extra_urlpatterns: list[URLPattern] = [
    path("network-map/", NetworkMapView.as_view(), name="network-map"),
]
