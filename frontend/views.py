"""The pages. Thin: they read services and render."""

from __future__ import annotations

from django.conf import settings
from django.views.generic import TemplateView


class PublicHomeView(TemplateView):
    """The public host: what the platform is, and a way to one's municipality."""

    template_name = "frontend/public_home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if user.is_authenticated:
            from agora.municipalities.provisioning import host_for

            context["my_municipalities"] = [
                (m.municipality, host_for(m.municipality.slug), m.label)
                for m in user.memberships.filter(is_active=True).select_related("municipality")
            ]
        context["base_domain"] = settings.AGORA_BASE_DOMAIN
        return context
