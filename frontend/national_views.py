"""The national view's pages on the public host (``/national/``): thin over ``agora.national.queries``.

The same grant checks as the API (they live in the queries): a district, municipality or
neighbourhood not granted is a 404 page, like one that does not exist.
"""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.views.generic import TemplateView

from agora.errors import DomainError
from agora.national import queries


class NationalPage(LoginRequiredMixin, TemplateView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            context.update(self.read(**kwargs))
        except DomainError as error:
            if error.status == 404:
                raise Http404 from error
            raise
        context["gap_names"] = queries.GAP_NAMES
        return context

    def read(self, **kwargs) -> dict:
        raise NotImplementedError


class NationalHomeView(NationalPage):
    """Districts on one screen with their gaps at a glance."""

    template_name = "national/home.html"

    def read(self, **kwargs) -> dict:
        gap = self.request.GET.get("gap") or None
        if gap not in (None, *queries.GAP_NAMES):
            gap = None
        q = (self.request.GET.get("q") or "").strip()
        overview = queries.national_overview(self.request.user, q=q or None, gap=gap)
        return {"overview": overview, "q": q, "gap": gap}


class DistrictPageView(NationalPage):
    template_name = "national/district.html"

    def read(self, district_id: str, **kwargs) -> dict:
        district = queries.district_detail(self.request.user, district_id)
        return {"district": district, "chart": district["meetings_per_quarter"]}


class MunicipalityPageView(NationalPage):
    template_name = "national/municipality.html"

    def read(self, district_id: str, municipality_id: str, **kwargs) -> dict:
        municipality = queries.municipality_detail(self.request.user, district_id, municipality_id)
        return {
            "district_id": district_id,
            "municipality": municipality,
            "chart": municipality["meetings_per_quarter"],
        }


class NeighbourhoodPageView(NationalPage):
    template_name = "national/neighbourhood.html"

    def read(self, district_id: str, municipality_id: str, neighbourhood_id: str, **kwargs) -> dict:
        neighbourhood = queries.neighbourhood_detail(
            self.request.user, district_id, municipality_id, neighbourhood_id
        )
        return {"district_id": district_id, "neighbourhood": neighbourhood}
