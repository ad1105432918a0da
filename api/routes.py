"""All v1 routes, one router; each app's API module registers its viewsets here."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter(trailing_slash=True)

# Each module below registers its viewsets on `router` (import order = URL order).
from api.councils import routes as _councils  # noqa: E402
from api.networkmap import routes as _networkmap  # noqa: E402
from api.nominations import routes as _nominations  # noqa: E402
from api.selection import routes as _selection  # noqa: E402
from api.signals import routes as _signals  # noqa: E402

v1_urlpatterns = router.urls + [
    pattern
    for module in (_networkmap, _selection, _nominations, _councils, _signals)
    for pattern in module.extra_urlpatterns
]
