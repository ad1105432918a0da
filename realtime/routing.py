"""The ASGI protocol router: HTTP to Django; WebSockets through the same-origin check, then the
tenant and session middleware."""

from __future__ import annotations

from channels.auth import AuthMiddlewareStack
from channels.routing import ProtocolTypeRouter, URLRouter
from django.urls import path

from realtime.consumers import MunicipalityEventsConsumer
from realtime.crisis import CrisisRoomConsumer
from realtime.layers import warn_if_in_memory_layer
from realtime.middleware import CompleteSessionMiddleware, TenantFromHostMiddleware
from realtime.national import NationalConsumer
from realtime.origin import SameOriginValidator

websocket_urlpatterns = [
    path("ws/events/", MunicipalityEventsConsumer.as_asgi()),
    path("ws/crisis/<str:crisis_id>/", CrisisRoomConsumer.as_asgi()),
    path("ws/national/", NationalConsumer.as_asgi()),  # the public host only (realtime.national)
]


def build_application(http_app):
    warn_if_in_memory_layer()
    return ProtocolTypeRouter(
        {
            "http": http_app,
            "websocket": SameOriginValidator(
                TenantFromHostMiddleware(
                    AuthMiddlewareStack(CompleteSessionMiddleware(URLRouter(websocket_urlpatterns)))
                )
            ),
        }
    )
