"""``/api/v1/national/`` on the public host: thin views over ``agora.national.queries``.

Logged-in users only; what they see is decided by their grants alone (no grant: an empty
list, and every id a 404 exactly like an id that does not exist).
"""

from __future__ import annotations

from django.http import HttpResponse
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agora.errors import error_code
from agora.national import exports, queries

GAP_UNKNOWN = error_code(
    "national_gap_unknown",
    en="Unknown gap; use one of: {names}.",
    nl="Onbekend gat; gebruik een van: {names}.",
)


class NationalView(APIView):
    """Signed in, on the public host; the grants do the rest (in the queries)."""

    permission_classes = [IsAuthenticated]


class DistrictListView(NationalView):
    """The granted districts with their gaps at a glance. Filters: ``unit``, ``q``, ``gap``."""

    def get(self, request: Request) -> Response:
        gap = request.query_params.get("gap") or None
        if gap is not None and gap not in queries.GAP_NAMES:
            raise GAP_UNKNOWN(fields={"gap": [gap]}, names=", ".join(queries.GAP_NAMES))
        return Response(
            queries.national_overview(
                request.user,
                unit=request.query_params.get("unit"),
                q=request.query_params.get("q") or None,
                gap=gap,
            )
        )


class DistrictDetailView(NationalView):
    def get(self, request: Request, district_id: str) -> Response:
        return Response(queries.district_detail(request.user, district_id))


class MunicipalityDetailView(NationalView):
    def get(self, request: Request, district_id: str, municipality_id: str) -> Response:
        return Response(queries.municipality_detail(request.user, district_id, municipality_id))


class NeighbourhoodDetailView(NationalView):
    def get(
        self, request: Request, district_id: str, municipality_id: str, neighbourhood_id: str
    ) -> Response:
        return Response(
            queries.neighbourhood_detail(request.user, district_id, municipality_id, neighbourhood_id)
        )


class CrisisDetailView(NationalView):
    """An open or closed crisis of a granted municipality, its roll-call as counts."""

    def get(self, request: Request, district_id: str, municipality_id: str, crisis_id: str) -> Response:
        return Response(queries.crisis_detail(request.user, district_id, municipality_id, crisis_id))


class DistrictCsvView(NationalView):
    def get(self, request: Request, district_id: str) -> HttpResponse:
        body = exports.district_csv(request.user, district_id)
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="district-{int(district_id)}.csv"'
        response["Cache-Control"] = "no-store"
        return response


class DistrictHtmlView(NationalView):
    def get(self, request: Request, district_id: str) -> HttpResponse:
        response = HttpResponse(exports.district_html(request.user, district_id, request=request))
        response["Cache-Control"] = "no-store"
        return response
