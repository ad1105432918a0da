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


def operator_municipalities(request):
    """The public host, platform operators only: every municipality and its state.

    Anyone else gets the login page (anonymous) or the same 404 as a page that does not exist:
    the list of municipalities with their activity is the operator's business.
    """
    from django.contrib.auth.views import redirect_to_login
    from django.http import Http404
    from django.shortcuts import render

    from agora.municipalities.status import municipality_statuses

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.is_superuser:
        raise Http404
    return render(request, "frontend/operator_municipalities.html", {"statuses": municipality_statuses()})
