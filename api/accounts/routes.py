"""Routes of the memberships API: ``/api/v1/memberships/``."""

from django.urls import URLPattern
from rest_framework.routers import BaseRouter

from api.accounts.views import MembershipViewSet


def register(router: BaseRouter) -> None:
    """Register this app's viewsets on the one v1 router (called by ``api.routes``, in URL order)."""
    router.register("memberships", MembershipViewSet, basename="membership")


extra_urlpatterns: list[URLPattern] = []
