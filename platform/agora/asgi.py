"""ASGI entry point: HTTP through Django (django-tenants resolves the tenant), WebSockets
through the realtime router (which resolves the tenant itself)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

# The packages of the control plane live in the platform/ source folder (see ADR 0001).
_platform = Path(__file__).resolve().parent.parent
if _platform.name == "platform" and str(_platform) not in sys.path:
    sys.path.insert(0, str(_platform))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agora.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

django_asgi_app = get_asgi_application()

from realtime.routing import build_application  # noqa: E402

application = build_application(django_asgi_app)
