"""All v1 routes, one router, built here by calling each app's ``register(router)`` in turn.

Registration is explicit rather than a side effect of importing the app modules (which used to import
``router`` back from this module): the order below is the URL order, and an app's route module can be
imported on its own, e.g. by a test.
"""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import DefaultRouter

from api.accounts import routes as accounts
from api.councils import routes as councils
from api.crises import routes as crises
from api.networkmap import routes as networkmap
from api.nominations import routes as nominations
from api.selection import routes as selection
from api.signals import routes as signals


def build_router() -> DefaultRouter:
    """A fresh v1 router with every app's viewsets registered, in the published URL order."""
    router = DefaultRouter(trailing_slash=True)
    for module in (councils, networkmap, nominations, selection, signals, accounts, crises):
        module.register(router)
    return router


router = build_router()

v1_urlpatterns: list[URLPattern | URLResolver] = router.urls + [
    pattern
    for module in (networkmap, selection, nominations, councils, signals, accounts, crises)
    for pattern in module.extra_urlpatterns
]
