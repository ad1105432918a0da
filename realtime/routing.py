"""The ASGI protocol router: HTTP to Django; WebSockets through the same-origin check, then the
tenant and session middleware."""

from __future__ import annotations

import logging

from channels.auth import AuthMiddlewareStack
from channels.routing import ProtocolTypeRouter, URLRouter
from django.conf import settings
from django.urls import path

from realtime.consumers import MunicipalityEventsConsumer
from realtime.middleware import TenantFromHostMiddleware
from realtime.origin import SameOriginValidator

logger = logging.getLogger("agora")

websocket_urlpatterns = [
    path("ws/events/", MunicipalityEventsConsumer.as_asgi()),
]


def build_application(http_app):
    if not settings.REDIS_URL:
        logger.warning(settings.IN_MEMORY_CHANNEL_LAYER_WARNING)
    return ProtocolTypeRouter(
        {
            "http": http_app,
            "websocket": SameOriginValidator(
                TenantFromHostMiddleware(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
            ),
        }
    )
