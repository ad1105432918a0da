"""``/api/v1/council-meetings/``: thin views that parse, call one meeting action, serialize.

Staff plan, change, hold and cancel meetings and record attendance; allies read the meetings
of their own council(s). The actions check who acts again (``tenants.councils.actions``).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from agora.accounts.access import request_actor
from api.councils.permissions import CouncilAccess
from api.councils.serializers import (
    READ_ERRORS,
    WRITE_ERRORS,
    AllyMeetingSerializer,
    AttendanceInputSerializer,
    CancelSerializer,
    HoldSerializer,
    MeetingCreateSerializer,
    MeetingFilterSerializer,
    MeetingSerializer,
    MeetingUpdateSerializer,
)
from tenants.councils import actions
from tenants.councils.access import access_council_by_id, access_meeting_by_id, meetings_visible_to

# --- meetings -------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Meetings of the councils you may see",
        parameters=[MeetingFilterSerializer],
        responses={200: MeetingSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(summary="One meeting", responses={200: MeetingSerializer, **READ_ERRORS}),
    create=extend_schema(
        summary="Plan a meeting, always with a meal (staff)",
        request=MeetingCreateSerializer,
        responses={201: MeetingSerializer, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change a planned meeting, or the notes of a held one (staff)",
        request=MeetingUpdateSerializer,
        responses={200: MeetingSerializer, **WRITE_ERRORS},
    ),
)
class MeetingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Meetings: planned, held or cancelled; attendance per member and lead."""

    permission_classes = [CouncilAccess]
    serializer_class = MeetingSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        qs = meetings_visible_to(self.request.user).prefetch_related("attendance").order_by("starts_at", "pk")
        if self.action == "list":
            params = MeetingFilterSerializer(data=self.request.query_params)
            params.is_valid(raise_exception=True)
            if "council" in params.validated_data:
                qs = qs.filter(council_id=params.validated_data["council"])
        return qs

    def get_object(self):
        return access_meeting_by_id(self.request.user, self.kwargs["pk"])

    ally_serializers = {"list": AllyMeetingSerializer, "retrieve": AllyMeetingSerializer}

    def get_serializer_class(self):
        if self.action in ("list", "retrieve") and not request_actor(self.request).is_staff:
            return AllyMeetingSerializer
        return MeetingSerializer

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self.get_serializer(self.get_object()).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = MeetingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        council = access_council_by_id(request.user, v["council"])
        meeting = actions.do_plan_meeting(
            council,
            starts_at=v["starts_at"],
            ends_at=v["ends_at"],
            place=v["place"],
            meal=v["meal"],
            notes=v["notes"],
            acting_user=request.user,
        )
        return Response(MeetingSerializer(meeting).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        meeting = self.get_object()
        data = MeetingUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        meeting = actions.do_update_meeting(meeting, data.validated_data, acting_user=request.user)
        return Response(MeetingSerializer(meeting).data)

    @extend_schema(
        summary="Record who was there (staff)",
        request=AttendanceInputSerializer,
        responses={200: MeetingSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def attendance(self, request: Request, pk: str) -> Response:
        meeting = self.get_object()
        data = AttendanceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        meeting = actions.do_record_attendance(
            meeting,
            members={row["member"]: row["present"] for row in data.validated_data["members"]},
            leads={row["membership"]: row["present"] for row in data.validated_data["leads"]},
            acting_user=request.user,
        )
        return Response(MeetingSerializer(meeting).data)

    @extend_schema(
        summary="Mark the meeting as held (staff)",
        request=HoldSerializer,
        responses={200: MeetingSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def hold(self, request: Request, pk: str) -> Response:
        meeting = self.get_object()
        data = HoldSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        meeting = actions.do_hold_meeting(
            meeting, notes=data.validated_data["notes"], acting_user=request.user
        )
        return Response(MeetingSerializer(meeting).data)

    @extend_schema(
        summary="Cancel the meeting (staff)",
        request=CancelSerializer,
        responses={200: MeetingSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        meeting = self.get_object()
        data = CancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        meeting = actions.do_cancel_meeting(
            meeting, reason=data.validated_data["reason"], acting_user=request.user
        )
        return Response(MeetingSerializer(meeting).data)
