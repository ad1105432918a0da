"""django-tenants' host resolution, with one change: an offboarded municipality's host is a 404.

``SHOW_PUBLIC_IF_NO_TENANT_FOUND`` serves the public site on a host without a domain row, so a
municipality whose domain offboarding removed would otherwise show the platform's front page on
its old address, as if it were still there. Only former municipalities' hosts are refused; any
other unknown host keeps the public site (the health checks and proxies rely on that).
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django_tenants.middleware.main import TenantMainMiddleware

from agora.municipalities.models import Municipality


def former_municipality_host(hostname: str) -> bool:
    """True if ``hostname`` is ``<slug>.<AGORA_BASE_DOMAIN>`` of an offboarded municipality."""
    label, dot, base = hostname.partition(".")
    if not dot or base != settings.AGORA_BASE_DOMAIN:
        return False
    return Municipality.all_objects.filter(slug=label, offboarded_at__isnull=False).exists()


class MunicipalityMiddleware(TenantMainMiddleware):
    def no_tenant_found(self, request, hostname):
        if former_municipality_host(hostname):
            raise Http404(f"{hostname} is no longer a municipality on this platform")
        return super().no_tenant_found(request, hostname)
