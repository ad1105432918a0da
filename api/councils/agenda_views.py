"""``/api/v1/council-agenda-items/``: thin views that parse, call one agenda action, serialize.

Every member may propose any topic (allies included, in their own council); a lead or deputy
approves an override for their side; staff mark an item discussed, and the proposer may
withdraw it. The actions check who acts again (``tenants.councils.actions``).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.councils.permissions import CouncilAccess
from api.councils.serializers import (
    READ_ERRORS,
    WRITE_ERRORS,
    AgendaFilterSerializer,
    AgendaItemCreateSerializer,
    AgendaItemSerializer,
    AgendaStatusSerializer,
)
from tenants.councils import actions
from tenants.councils.access import access_agenda_item_by_id, access_council_by_id, agenda_items_visible_to

# --- agenda ---------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Agenda items, in the order they were proposed",
        parameters=[AgendaFilterSerializer],
        responses={200: AgendaItemSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(summary="One agenda item", responses={200: AgendaItemSerializer, **READ_ERRORS}),
    create=extend_schema(
        summary="Propose a topic (any member, allies included)",
        request=AgendaItemCreateSerializer,
        responses={201: AgendaItemSerializer, **WRITE_ERRORS},
    ),
)
class AgendaItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The agenda: every member may propose any topic; no member outranks another."""

    permission_classes = [CouncilAccess]
    serializer_class = AgendaItemSerializer
    ally_actions = ("create", "set_status")
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        qs = (
            agenda_items_visible_to(self.request.user)
            .select_related("proposed_by")
            .prefetch_related("approvals")
            .order_by("proposed_at", "pk")
        )
        if self.action == "list":
            params = AgendaFilterSerializer(data=self.request.query_params)
            params.is_valid(raise_exception=True)
            v = params.validated_data
            if "council" in v:
                qs = qs.filter(council_id=v["council"])
            if "meeting" in v:
                qs = qs.filter(meeting_id=v["meeting"])
            if "status" in v:
                qs = qs.filter(status=v["status"])
        return qs

    def get_object(self):
        return access_agenda_item_by_id(self.request.user, self.kwargs["pk"])

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = AgendaItemCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        council = access_council_by_id(request.user, v["council"])
        item = actions.do_propose_agenda_item(
            council,
            title=v["title"],
            description=v["description"],
            kind=v["kind"],
            is_international=v["is_international"],
            meeting_id=v["meeting"],
            request_override=v["request_override"],
            override_reason=v["override_reason"],
            acting_user=request.user,
        )
        return Response(AgendaItemSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Approve the override for your side (a lead or deputy of this council)",
        request=None,
        responses={200: AgendaItemSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="approve-override")
    def approve_override(self, request: Request, pk: str) -> Response:
        item = actions.do_approve_agenda_override(self.get_object(), acting_user=request.user)
        return Response(AgendaItemSerializer(item).data)

    @extend_schema(
        summary="Mark discussed (staff) or withdraw (staff, or the member who proposed it)",
        request=AgendaStatusSerializer,
        responses={200: AgendaItemSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request: Request, pk: str) -> Response:
        item = self.get_object()
        data = AgendaStatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = actions.do_change_agenda_item_status(
            item, data.validated_data["status"], acting_user=request.user
        )
        return Response(AgendaItemSerializer(item).data)
