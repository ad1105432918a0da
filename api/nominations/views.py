"""Nominations API: import a list, see the import runs, compare the lists, confirm or reject a match.

Thin views: validate, call one service, serialize. Officials and police officers of this
municipality only (``IsMunicipalStaff``); allies and strangers get 403.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from agora.audit.actions import log_person_reads
from api.nominations.serializers import (
    ComparisonSerializer,
    ImportReportSerializer,
    ImportRunFilterSerializer,
    ImportRunSerializer,
    ImportUploadSerializer,
    MatchConfirmedSerializer,
    MatchRejectedSerializer,
    MatchRequestSerializer,
)
from api.permissions import IsMunicipalStaff
from tenants.networkmap.models import KeyFigure
from tenants.nominations.comparison import compare_lists, key_figures_in
from tenants.nominations.importing import do_import_nominations
from tenants.nominations.merging import do_confirm_match, do_reject_match
from tenants.nominations.models import ImportRun

ERROR = OpenApiResponse(description='Error: {"code", "detail", "fields"} with a stable code.')


@extend_schema(tags=["nominations"])
@extend_schema_view(
    list=extend_schema(
        parameters=[ImportRunFilterSerializer],
        responses={200: ImportRunSerializer(many=True), 400: ERROR, 403: ERROR},
        summary="Import runs, newest first; filter by list (source) and dry_run",
    )
)
class ImportRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Import runs of both lists, newest first, with their row errors."""

    queryset = ImportRun.objects.select_related("imported_by")
    serializer_class = ImportRunSerializer
    permission_classes = [IsMunicipalStaff]
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action != "list":
            return queryset
        filters = ImportRunFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        if "source" in filters.validated_data:
            queryset = queryset.filter(source=filters.validated_data["source"])
        if filters.validated_data.get("dry_run") is not None:
            queryset = queryset.filter(dry_run=filters.validated_data["dry_run"])
        return queryset

    @extend_schema(
        request={"multipart/form-data": ImportUploadSerializer},
        responses={
            201: ImportReportSerializer,
            200: OpenApiResponse(ImportReportSerializer, description="Dry run: nothing written."),
            400: ERROR,
            403: ERROR,
        },
        summary="Import the municipality's or the police's list (CSV or XLSX)",
    )
    def create(self, request: Request) -> Response:
        upload = ImportUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        file = upload.validated_data["file"]
        report = do_import_nominations(
            file,
            filename=file.name,
            source=upload.validated_data["source"],
            acting_user=request.user,
            dry_run=upload.validated_data["dry_run"],
        )
        return Response(
            ImportReportSerializer(report).data,
            status=status.HTTP_200_OK if report.dry_run else status.HTTP_201_CREATED,
        )


@extend_schema(tags=["nominations"])
class ComparisonViewSet(viewsets.ViewSet):
    """The two lists compared; confirm or reject the ambiguous candidate matches."""

    permission_classes = [IsMunicipalStaff]
    # ``list`` answers one object (both lists and their matches), not an array (api.schema).
    single_object_actions = ("list",)

    @extend_schema(responses={200: ComparisonSerializer, 403: ERROR}, summary="Compare the two lists")
    def list(self, request: Request) -> Response:
        comparison = compare_lists()
        log_person_reads(
            actor=request.user,
            objs=list(KeyFigure.objects.filter(pk__in=key_figures_in(comparison))),
            purpose="nominations: comparison of the lists",
        )
        return Response(ComparisonSerializer(comparison).data)

    @extend_schema(
        request=MatchRequestSerializer,
        responses={200: MatchConfirmedSerializer, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR},
        summary="Confirm a match: merge the two key figures into one on both lists",
    )
    @action(detail=False, methods=["post"])
    def confirm(self, request: Request) -> Response:
        body = MatchRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        figure = do_confirm_match(
            body.validated_data["municipality_key_figure"],
            body.validated_data["police_key_figure"],
            acting_user=request.user,
        )
        return Response(
            MatchConfirmedSerializer(
                {
                    "key_figure_id": figure.pk,
                    "name": figure.full_name,
                    "nominated_by_municipality": figure.nominated_by_municipality,
                    "nominated_by_police": figure.nominated_by_police,
                }
            ).data
        )

    @extend_schema(
        request=MatchRequestSerializer,
        responses={200: MatchRejectedSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
        summary="Reject a match: two different people; never proposed again",
    )
    @action(detail=False, methods=["post"])
    def reject(self, request: Request) -> Response:
        body = MatchRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rejection = do_reject_match(
            body.validated_data["municipality_key_figure"],
            body.validated_data["police_key_figure"],
            acting_user=request.user,
            reason=body.validated_data.get("reason", ""),
        )
        return Response(MatchRejectedSerializer(rejection).data)
