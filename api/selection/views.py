"""``/api/v1/selection-cases/``: the selection pipeline over HTTP.

Each view validates its input, calls one action of ``tenants.selection.actions`` and answers with
the case as it is now. Only officials and police officers of this municipality get in (allies and
strangers 403); domain refusals come back in the one error shape with their stable code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from agora.errors import NOT_FOUND
from agora.ids import id_or_not_found
from api.permissions import IsMunicipalStaff
from api.selection.serializers import (
    CaseFilterSerializer,
    DecideSerializer,
    HomeVisitInputSerializer,
    NoteSerializer,
    OpenCaseSerializer,
    ReasonSerializer,
    SelectionCaseDetailSerializer,
    SelectionCaseSerializer,
    SelectionErrorSerializer,
)
from tenants.selection import actions
from tenants.selection.access import access_case_by_id, cases_visible_to, log_case_list_read
from tenants.selection.models import ASSESSMENT_QUESTIONS, SelectionCase

_ERROR = OpenApiResponse(SelectionErrorSerializer, description="Error in the API's one shape.")
_READ_ERRORS = {401: _ERROR, 403: _ERROR, 404: _ERROR}
_STEP_ERRORS = {400: _ERROR, **_READ_ERRORS, 409: _ERROR}


def _step_schema(summary: str, request: type[Serializer] | None) -> Callable[[Any], Any]:
    return extend_schema(
        summary=summary,
        request=request,
        responses={200: SelectionCaseDetailSerializer, **_STEP_ERRORS},
    )


@extend_schema_view(
    list=extend_schema(
        summary="List selection cases",
        parameters=[CaseFilterSerializer],
        responses={200: SelectionCaseSerializer(many=True), 400: _ERROR, **_READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One selection case with approvals, home visit and full history",
        responses={200: SelectionCaseDetailSerializer, **_READ_ERRORS},
    ),
    create=extend_schema(
        summary="Nominate a key figure: open a selection case",
        request=OpenCaseSerializer,
        responses={201: SelectionCaseDetailSerializer, **_STEP_ERRORS},
    ),
)
class SelectionCaseViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsMunicipalStaff]
    serializer_class = SelectionCaseSerializer
    queryset = SelectionCase.objects.none()  # narrowed per request in get_queryset
    # No lookup regex: every id reaches the view and is read by agora.ids (``\d`` would take "٣").

    def get_queryset(self):
        queryset = cases_visible_to(self.request.user).prefetch_related(
            "key_figure__neighbourhood", "approvals"
        )
        filters = CaseFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        if "state" in filters.validated_data:
            queryset = queryset.filter(state=filters.validated_data["state"])
        if "key_figure" in filters.validated_data:
            queryset = queryset.filter(key_figure_id=filters.validated_data["key_figure"])
        return queryset

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        log_case_list_read(request.user, page)
        return self.get_paginated_response(SelectionCaseSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(self._detail(pk))

    def create(self, request: Request) -> Response:
        data = self._input(OpenCaseSerializer, request)
        case = actions.do_open_case(data["key_figure"], acting_user=request.user, reason=data["reason"])
        return Response(self._detail(case.pk), status=status.HTTP_201_CREATED)

    @_step_schema("Start the joint review (municipality and police)", ReasonSerializer)
    @action(detail=True, methods=["post"], url_path="start-review")
    def start_review(self, request: Request, pk: str) -> Response:
        case_id = self._case_id(pk)
        data = self._input(ReasonSerializer, request)
        actions.do_start_review(case_id, acting_user=request.user, reason=data["reason"])
        return Response(self._detail(pk))

    @_step_schema("Approve in the joint review (your role decides the side)", NoteSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        case_id = self._case_id(pk)
        data = self._input(NoteSerializer, request)
        actions.do_approve_case(case_id, acting_user=request.user, note=data["note"])
        return Response(self._detail(pk))

    @_step_schema("Reject in the review: not suitable (reason required)", ReasonSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        case_id = self._case_id(pk)
        data = self._input(ReasonSerializer, request)
        actions.do_reject_case(case_id, acting_user=request.user, reason=data["reason"])
        return Response(self._detail(pk))

    @_step_schema("Record the home visit and its assessment", HomeVisitInputSerializer)
    @action(detail=True, methods=["post"], url_path="record-home-visit")
    def record_home_visit(self, request: Request, pk: str) -> Response:
        case_id = self._case_id(pk)
        data = self._input(HomeVisitInputSerializer, request)
        actions.do_record_home_visit(
            case_id,
            acting_user=request.user,
            visited_on=data["visited_on"],
            visitor_ids=data["visitors"],
            answers={
                question: actions.AssessmentAnswer(data[question]["answer"], data[question]["notes"])
                for question in ASSESSMENT_QUESTIONS
            },
        )
        return Response(self._detail(pk))

    @_step_schema("Decide after the home visit: ally or not suitable (reason required)", DecideSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str) -> Response:
        case_id = self._case_id(pk)
        data = self._input(DecideSerializer, request)
        actions.do_decide_case(
            case_id, acting_user=request.user, outcome=data["outcome"], reason=data["reason"]
        )
        return Response(self._detail(pk))

    @_step_schema("An ally steps down (reason required)", ReasonSerializer)
    @action(detail=True, methods=["post"], url_path="step-down")
    def step_down(self, request: Request, pk: str) -> Response:
        case_id = self._case_id(pk)
        data = self._input(ReasonSerializer, request)
        actions.do_step_down(case_id, acting_user=request.user, reason=data["reason"])
        return Response(self._detail(pk))

    @_step_schema("Re-activate an ally who stepped down (reason required)", ReasonSerializer)
    @action(detail=True, methods=["post"])
    def reactivate(self, request: Request, pk: str) -> Response:
        case_id = self._case_id(pk)
        data = self._input(ReasonSerializer, request)
        actions.do_reactivate(case_id, acting_user=request.user, reason=data["reason"])
        return Response(self._detail(pk))

    # --- helpers of this view -------------------------------------------------------------------

    @staticmethod
    def _input(serializer_class: type[Serializer], request: Request) -> dict[str, Any]:
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _case_id(self, pk: str) -> int:
        """The id of a case of this municipality, looked up before the body is validated.

        A step on a missing case answers 404 (``not_found``) even with an invalid body: the
        resource comes first, then the input. The action locks and re-reads the case itself.
        """
        case_id = id_or_not_found(pk)
        if not cases_visible_to(self.request.user).filter(pk=case_id).exists():
            raise NOT_FOUND()
        return case_id

    def _detail(self, pk: str | int) -> dict[str, Any]:
        return SelectionCaseDetailSerializer(access_case_by_id(self.request.user, pk)).data
