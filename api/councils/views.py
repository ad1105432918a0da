"""``/api/v1/`` endpoints of the allies' council and its rules: thin views that parse, call one action,
serialize. Meetings and the agenda have their own modules (``meeting_views``, ``agenda_views``).

Who gets in: officials and police officers of this municipality read and write everything;
allies read their own council(s), its meetings, agenda and contact sheet, and may propose
agenda items (every member may bring any topic); strangers and members of other
municipalities get 403. Ids of councils an ally does not sit on, and ids that do not exist
in this schema, are both 404 (``tenants.councils.access``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agora.accounts.access import request_actor
from agora.audit.actions import log_person_reads
from api.councils.permissions import CouncilAccess
from api.councils.renderers import ICalendarRenderer, JsonErrorsMixin, VCardRenderer
from api.councils.serializers import (
    READ_ERRORS,
    WRITE_ERRORS,
    AddMembersSerializer,
    AllyCouncilSerializer,
    ContactSheetSerializer,
    CouncilCreateSerializer,
    CouncilResultSerializer,
    CouncilRulesSerializer,
    CouncilSerializer,
    CouncilUpdateSerializer,
    HandOverInputSerializer,
    HandoverSerializer,
    LeadsInputSerializer,
    LeaveSerializer,
)
from tenants.councils import actions
from tenants.councils.access import access_contact_sheet, access_council_by_id, councils_visible_to
from tenants.councils.exports import contact_sheet, contacts_as_vcard, meetings_as_ical
from tenants.councils.health import council_health
from tenants.councils.models import Council, CouncilMember, Handover
from tenants.councils.rules import current_rules
from tenants.councils.schedule import with_schedule


def _council_queryset(qs: QuerySet[Council]) -> QuerySet[Council]:
    """Everything the council serializers read, in a fixed number of queries for any number of councils."""
    return (
        with_schedule(qs)
        .select_related(
            "municipal_lead__user",
            "municipal_deputy__user",
            "police_lead__user",
            "police_deputy__user",
        )
        .prefetch_related(
            "neighbourhoods",
            "acknowledgements",
            Prefetch("members", queryset=CouncilMember.objects.select_related("key_figure")),
        )
    )


def _log_member_reads(request: Request, councils: list[Council], *, former: bool, purpose: str) -> None:
    """Log a read of every member's record the response shows (former members only for staff).

    An ally's view also carries the leads' and deputies' numbers (tap to call): those are reads too.
    """
    objs: list[Any] = [
        seat.key_figure
        for council in councils
        for seat in council.members.all()
        if former or seat.left_on is None
    ]
    if not former:
        objs += [
            getattr(council, seat).user
            for council in councils
            for seat in ("municipal_lead", "municipal_deputy", "police_lead", "police_deputy")
            if getattr(council, seat) is not None and getattr(council, seat).mobile
        ]
    log_person_reads(actor=request.user, objs=objs, purpose=purpose)


def _result(
    request: Request, result: actions.CouncilResult, *, status_code: int = status.HTTP_200_OK
) -> Response:
    council = _council_queryset(Council.objects.filter(pk=result.council.pk)).get()
    council.warnings = result.warnings
    _log_member_reads(request, [council], former=True, purpose=f"council {council.pk}")
    return Response(CouncilResultSerializer(council).data, status=status_code)


# --- rules ----------------------------------------------------------------------------------------


class CouncilRulesView(APIView):
    """``/council-rules/``: the municipality's council rules (a singleton)."""

    permission_classes = [CouncilAccess]

    @extend_schema(
        summary="The municipality's council rules", responses={200: CouncilRulesSerializer, **READ_ERRORS}
    )
    def get(self, request: Request) -> Response:
        return Response(CouncilRulesSerializer(current_rules()).data)

    @extend_schema(
        summary="Change the council rules (staff)",
        request=CouncilRulesSerializer,
        responses={200: CouncilRulesSerializer, **WRITE_ERRORS},
    )
    def patch(self, request: Request) -> Response:
        serializer = CouncilRulesSerializer(current_rules(), data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        rules = actions.do_update_council_rules(serializer.validated_data, acting_user=request.user)
        return Response(CouncilRulesSerializer(rules).data)


# --- councils -------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Councils you may see", responses={200: CouncilSerializer(many=True), **READ_ERRORS}
    ),
    retrieve=extend_schema(summary="One council", responses={200: CouncilSerializer, **READ_ERRORS}),
    create=extend_schema(
        summary="Set up a council (staff)",
        request=CouncilCreateSerializer,
        responses={201: CouncilResultSerializer, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Rename a council or change its scope (staff)",
        request=CouncilUpdateSerializer,
        responses={200: CouncilResultSerializer, **WRITE_ERRORS},
    ),
)
class CouncilViewSet(
    JsonErrorsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Councils: scope, leads, members; with their contact sheet, calendar and health."""

    permission_classes = [CouncilAccess]
    serializer_class = CouncilSerializer
    staff_only_actions = ("health", "health_all", "handovers")
    http_method_names = ["get", "post", "patch", "put", "head", "options"]

    def get_queryset(self) -> QuerySet[Council]:
        return _council_queryset(councils_visible_to(self.request.user)).order_by("name", "pk")

    def get_object(self) -> Council:
        council = access_council_by_id(self.request.user, self.kwargs["pk"])
        return _council_queryset(Council.objects.filter(pk=council.pk)).get()

    def _is_staff(self) -> bool:
        return request_actor(self.request).is_staff

    ally_serializers = {"list": AllyCouncilSerializer, "retrieve": AllyCouncilSerializer}

    def get_serializer_class(self):
        if self.action in ("list", "retrieve") and not self._is_staff():
            return AllyCouncilSerializer
        return CouncilSerializer

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "rules": current_rules()}

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.get_queryset()
        page = self.paginate_queryset(queryset)
        councils = list(page if page is not None else queryset)
        _log_member_reads(request, councils, former=self._is_staff(), purpose="councils list")
        data = self.get_serializer(councils, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        council = self.get_object()
        _log_member_reads(request, [council], former=self._is_staff(), purpose=f"council {council.pk}")
        return Response(self.get_serializer(council).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = CouncilCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        result = actions.do_create_council(
            name=v["name"],
            covers_whole_municipality=v["covers_whole_municipality"],
            neighbourhood_ids=v["neighbourhoods"],
            municipal_lead_id=v["municipal_lead"],
            municipal_deputy_id=v["municipal_deputy"],
            police_lead_id=v["police_lead"],
            police_deputy_id=v["police_deputy"],
            key_figure_ids=v["key_figures"],
            started_on=v["started_on"],
            acknowledge=v["acknowledge"],
            acting_user=request.user,
        )
        return _result(request, result, status_code=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        council = self.get_object()
        data = CouncilUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        result = actions.do_update_council(
            council,
            name=v.get("name"),
            covers_whole_municipality=v.get("covers_whole_municipality"),
            neighbourhood_ids=v.get("neighbourhoods"),
            acting_user=request.user,
        )
        return _result(request, result)

    @extend_schema(
        summary="Name the leads and deputies of both sides (staff)",
        request=LeadsInputSerializer,
        responses={200: CouncilResultSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["put"], url_path="leads")
    def leads(self, request: Request, pk: str) -> Response:
        council = self.get_object()
        data = LeadsInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        result = actions.do_set_council_leads(
            council,
            municipal_lead_id=v["municipal_lead"],
            municipal_deputy_id=v["municipal_deputy"],
            police_lead_id=v["police_lead"],
            police_deputy_id=v["police_deputy"],
            acknowledge=v["acknowledge"],
            acting_user=request.user,
        )
        return _result(request, result)

    @extend_schema(
        summary="A lead steps down: the deputy takes the seat and the open work (staff)",
        request=HandOverInputSerializer,
        responses={201: HandoverSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="hand-over")
    def hand_over(self, request: Request, pk: str) -> Response:
        council = self.get_object()
        data = HandOverInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        handover = actions.do_hand_over_seat(
            council,
            data.validated_data["side"],
            reason=data.validated_data["reason"],
            acting_user=request.user,
        )
        handover = Handover.objects.select_related("from_membership__user", "to_membership__user").get(
            pk=handover.pk
        )
        return Response(HandoverSerializer(handover).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Seats passed on in this council, and what was open then (staff)",
        responses={200: HandoverSerializer(many=True), **READ_ERRORS},
    )
    @action(detail=True, methods=["get"], url_path="handovers", pagination_class=None)
    def handovers(self, request: Request, pk: str) -> Response:
        council = self.get_object()
        rows = list(
            Handover.objects.filter(council=council).select_related(
                "from_membership__user", "to_membership__user"
            )
        )
        people = {m.user for h in rows for m in (h.from_membership, h.to_membership) if m is not None}
        log_person_reads(
            actor=request.user, objs=sorted(people, key=lambda u: u.pk), purpose=f"handovers {council.pk}"
        )
        return Response(HandoverSerializer(rows, many=True).data)

    @extend_schema(
        summary="Seat allies in the council (staff)",
        request=AddMembersSerializer,
        responses={200: CouncilResultSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="members")
    def add_members(self, request: Request, pk: str) -> Response:
        council = self.get_object()
        data = AddMembersSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = actions.do_add_council_members(
            council,
            data.validated_data["key_figures"],
            joined_on=data.validated_data["joined_on"],
            acting_user=request.user,
        )
        return _result(request, result)

    @extend_schema(
        summary="An ally leaves the council (staff); tenure is kept",
        request=LeaveSerializer,
        responses={200: CouncilResultSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="members/leave")
    def leave(self, request: Request, pk: str) -> Response:
        council = self.get_object()
        data = LeaveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = actions.do_remove_council_member(
            council,
            data.validated_data["key_figure"],
            left_on=data.validated_data["left_on"],
            reason=data.validated_data["reason"],
            acting_user=request.user,
        )
        return _result(request, result)

    @extend_schema(
        summary="Everybody's mobile number, for the council's members (JSON, or vCard with .vcf)",
        responses={
            (200, "application/json"): ContactSheetSerializer,
            (200, "text/vcard"): OpenApiTypes.STR,
            **READ_ERRORS,
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="contact-sheet",
        renderer_classes=[JSONRenderer, VCardRenderer],
    )
    def contact_sheet(self, request: Request, pk: str, format: str | None = None) -> Response:
        council = access_contact_sheet(request.user, pk)
        contacts = contact_sheet(council, viewer=request.user)
        if request.accepted_renderer.format == VCardRenderer.format:
            filename = f"overleg-{council.pk}.vcf"
            return Response(
                contacts_as_vcard(contacts, council_name=council.name),
                content_type="text/vcard; charset=utf-8",
                headers={"Content-Disposition": f'attachment; filename="{filename}"'},
            )
        return Response({"council": council.pk, "name": council.name, "contacts": contacts})

    @extend_schema(
        summary="The council's meetings as an iCalendar feed",
        responses={(200, "text/calendar"): OpenApiTypes.STR, **READ_ERRORS},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="calendar",
        renderer_classes=[ICalendarRenderer, JSONRenderer],
    )
    def calendar(self, request: Request, pk: str, format: str | None = None) -> Response:
        council = self.get_object()
        body = meetings_as_ical(council, list(council.meetings.all()))
        return Response(
            body,
            content_type="text/calendar; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="overleg-{council.pk}.ics"'},
        )

    @extend_schema(
        summary="Health of this council over time (staff)",
        responses={200: OpenApiTypes.OBJECT, **READ_ERRORS},
    )
    @action(detail=True, methods=["get"], url_path="health")
    def health(self, request: Request, pk: str) -> Response:
        council = self.get_object()
        return Response(council_health(council.pk))

    @extend_schema(
        summary="Health of every council of the municipality (staff)",
        operation_id="v1_councils_health_all",
        responses={200: OpenApiTypes.OBJECT, **READ_ERRORS},
    )
    @action(detail=False, methods=["get"], url_path="health", url_name="health-all")
    def health_all(self, request: Request) -> Response:
        return Response(council_health())
