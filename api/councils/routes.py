"""Routes of the councils API."""

from django.urls import URLPattern

from api.routes import router  # noqa: F401

extra_urlpatterns: list[URLPattern] = []
