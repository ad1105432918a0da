"""The crisis room over REST, for clients without sockets: thin views that parse and call one action.

Officials and police officers of this municipality see every crisis; a convened ally sees the
crises they were called for (anyone else's id, or another municipality's, is a 404). Declaring,
closing, contacting an ally and drills are for staff; posting, answering and the summary are
for everyone in the room. ``POST .../messages/`` is idempotent by ``client_msg_id``: the same
id again returns the first post's ``seq`` (201 the first time, 200 after).
"""

from __future__ import annotations

from django.db import transaction
from django.template.loader import render_to_string
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from api.councils.renderers import JsonErrorsMixin
from api.crises.serializers import (
    ContactAllySerializer,
    CrisisCreateSerializer,
    DrillCreateSerializer,
    DrillQuerySerializer,
    EventsQuerySerializer,
    MessageCreateSerializer,
    ResponseCreateSerializer,
    SummarySerializer,
)
from api.permissions import IsMember, IsMunicipalStaff
from tenants.crises import actions
from tenants.crises.access import access_crisis_by_id, crises_visible_to, log_rollcall_read
from tenants.crises.log import MAX_PAGE, events_after
from tenants.crises.models import Crisis
from tenants.crises.queries import crisis_state
from tenants.crises.timeline import crisis_timeline, drill_reach

ERRORS = {
    400: OpenApiResponse(description="A broken rule: {code, detail, fields}"),
    403: OpenApiResponse(description="Not allowed in this municipality"),
    404: OpenApiResponse(description="Missing, or not yours to see"),
    409: OpenApiResponse(description="crisis_closed / crisis_is_drill"),
}
OBJECT = {200: OpenApiTypes.OBJECT, **ERRORS}


def _brief(crisis: Crisis) -> dict:
    return {
        "id": crisis.pk,
        "title": crisis.title,
        "kind": crisis.kind,
        "is_drill": crisis.is_drill,
        "status": crisis.status,
        "declared_at": crisis.declared_at.isoformat(),
        "deadline_at": crisis.deadline_at.isoformat(),
        "closed_at": crisis.closed_at.isoformat() if crisis.closed_at else None,
        "last_seq": crisis.last_seq,
    }


class TimelineHTMLRenderer(BaseRenderer):
    """The after-action timeline as a page (``?format=html``); errors still come back as JSON."""

    media_type = "text/html"
    format = "html"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if not isinstance(data, dict) or "entries" not in data:
            return JSONRenderer().render(data)
        return render_to_string("crises/timeline.html", {"timeline": data}).encode("utf-8")


class CrisisViewSet(JsonErrorsMixin, viewsets.ViewSet):
    """Crises of this municipality and their rooms' REST twins."""

    staff_actions = frozenset({"create", "close", "contact_ally"})
    # Not read (the actions and access rules are): tells the schema generator the id is an integer.
    queryset = Crisis.objects.none()

    def get_permissions(self):
        return [IsMunicipalStaff()] if self.action in self.staff_actions else [IsMember()]

    @extend_schema(
        operation_id="v1_crises_list",
        responses=OBJECT,
        description="Crises and drills you may see, newest first.",
    )
    def list(self, request: Request) -> Response:
        crises = crises_visible_to(request.user).order_by("-declared_at", "-pk")
        return Response({"results": [_brief(c) for c in crises[:200]]})

    @extend_schema(responses=OBJECT, description="The whole picture: roll-call, quorum, countdown, summary.")
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        crisis = access_crisis_by_id(request.user, pk).crisis
        log_rollcall_read(request.user, crisis)
        return Response(crisis_state(crisis))

    @extend_schema(request=CrisisCreateSerializer, responses={201: OpenApiTypes.OBJECT, **ERRORS})
    def create(self, request: Request) -> Response:
        body = CrisisCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        # One transaction (one commit) for the declaration and the read of its roll-call; the
        # calls go out after it commits.
        with transaction.atomic():
            crisis = actions.do_declare_crisis(**body.validated_data, acting_user=request.user)
            log_rollcall_read(request.user, crisis)
            state = crisis_state(crisis)
        return Response(state, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[EventsQuerySerializer], responses=OBJECT)
    @action(detail=True, methods=["get"])
    def events(self, request: Request, pk: str | None = None) -> Response:
        """Every event with ``seq > after``, in order (a page of at most 500; ask again from the last)."""
        query = EventsQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        crisis = access_crisis_by_id(request.user, pk).crisis
        frames = events_after(crisis.pk, query.validated_data["after"])
        return Response({"last_seq": crisis.last_seq, "events": frames, "more": len(frames) == MAX_PAGE})

    @extend_schema(request=MessageCreateSerializer, responses={201: OpenApiTypes.OBJECT, **ERRORS})
    @action(detail=True, methods=["post"])
    def messages(self, request: Request, pk: str | None = None) -> Response:
        access_crisis_by_id(request.user, pk)
        body = MessageCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        posted = actions.do_post_entry(pk, **body.validated_data, acting_user=request.user)
        return Response(
            {
                "seq": posted.event.seq,
                "client_msg_id": str(posted.event.client_msg_id),
                "created": posted.created,
            },
            status=status.HTTP_201_CREATED if posted.created else status.HTTP_200_OK,
        )

    @extend_schema(request=ResponseCreateSerializer, responses={201: OpenApiTypes.OBJECT, **ERRORS})
    @action(detail=True, methods=["post"])
    def responses(self, request: Request, pk: str | None = None) -> Response:
        access_crisis_by_id(request.user, pk)
        body = ResponseCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        convocation = actions.do_respond(pk, **body.validated_data, acting_user=request.user)
        crisis = Crisis.objects.get(pk=convocation.crisis_id)
        return Response(
            {"convocation_id": convocation.pk, "answer": convocation.answer, "seq": crisis.last_seq},
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=SummarySerializer, responses=OBJECT)
    @action(detail=True, methods=["post"])
    def summary(self, request: Request, pk: str | None = None) -> Response:
        access_crisis_by_id(request.user, pk)
        body = SummarySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        event = actions.do_update_summary(pk, text=body.validated_data["text"], acting_user=request.user)
        return Response({"seq": event.seq})

    @extend_schema(request=ContactAllySerializer, responses=OBJECT)
    @action(detail=True, methods=["post"], url_path="contact-ally")
    def contact_ally(self, request: Request, pk: str | None = None) -> Response:
        access_crisis_by_id(request.user, pk)
        body = ContactAllySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        convocation = actions.do_contact_ally(
            pk, body.validated_data["convocation_id"], acting_user=request.user
        )
        return Response(
            {"convocation_id": convocation.pk, "contacted_at": convocation.contacted_at.isoformat()}
        )

    @extend_schema(request=None, responses=OBJECT)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        crisis = actions.do_close_crisis(pk, acting_user=request.user)
        return Response(crisis_timeline(crisis))

    @extend_schema(responses=OBJECT, description="The after-action timeline (JSON, or ?format=html).")
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, TimelineHTMLRenderer])
    def timeline(self, request: Request, pk: str | None = None) -> Response:
        crisis = access_crisis_by_id(request.user, pk).crisis
        log_rollcall_read(request.user, crisis)
        return Response(crisis_timeline(crisis))


class DrillViewSet(viewsets.ViewSet):
    """Reachability drills (oefenalarm): staff start one for a council and read its reach."""

    permission_classes = [IsMunicipalStaff]
    queryset = Crisis.objects.none()  # for the schema generator only, as above

    @extend_schema(operation_id="v1_crisis_drills_list", parameters=[DrillQuerySerializer], responses=OBJECT)
    def list(self, request: Request) -> Response:
        """Drills newest first, each with its reach; ``?council=<id>`` for one council (its latest first)."""
        query = DrillQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        drills = Crisis.objects.filter(is_drill=True).order_by("-declared_at", "-pk")
        if "council" in query.validated_data:
            drills = drills.filter(councils=query.validated_data["council"])
        return Response({"results": [drill_reach(d) for d in drills[:50]]})

    @extend_schema(responses=OBJECT)
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        seat = access_crisis_by_id(request.user, pk)
        if not seat.crisis.is_drill:
            from agora.errors import NOT_FOUND

            raise NOT_FOUND()
        return Response(drill_reach(seat.crisis))

    @extend_schema(request=DrillCreateSerializer, responses={201: OpenApiTypes.OBJECT, **ERRORS})
    def create(self, request: Request) -> Response:
        body = DrillCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        drill = actions.do_start_drill(body.validated_data["council_id"], acting_user=request.user)
        return Response({"id": drill.pk, **drill_reach(drill)}, status=status.HTTP_201_CREATED)
