"""Signals and planned-intervention notices: thin views that parse, call one action, serialize.

Officials and police officers of this municipality read and write. An ally raises signals for
themselves, sees their own signals with the answers, reopens them, and sees and confirms the
notices addressed to them; anyone else's id is a 404, as for a missing one. Strangers and members
of other municipalities get 403. Ally names shown to staff are logged as person-record reads.
"""

from __future__ import annotations

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from agora.accounts.access import request_actor
from agora.audit.actions import log_person_reads
from api.permissions import IsMember, IsMunicipalStaff
from api.signals.serializers import (
    AllyNoticeSerializer,
    AllySignalSerializer,
    NoticeCreateSerializer,
    NoticeReceiptSerializer,
    NoticeSerializer,
    SignalAnswerCreateSerializer,
    SignalAssignSerializer,
    SignalCreateSerializer,
    SignalFilterSerializer,
    SignalNoteSerializer,
    SignalSerializer,
)
from tenants.signals import actions
from tenants.signals.access import (
    access_notice_by_id,
    access_signal_by_id,
    notices_visible_to,
    signals_visible_to,
)
from tenants.signals.deadlines import overdue_cutoff
from tenants.signals.models import Notice, NoticeRecipient, Signal
from tenants.signals.receipts import notice_receipts

ERROR_RESPONSES = {
    400: OpenApiResponse(description="A broken rule: {code, detail, fields}"),
    403: OpenApiResponse(description="Not allowed in this municipality: {code, detail, fields}"),
    404: OpenApiResponse(description="Missing, or not visible to you: {code, detail, fields}"),
}
TRANSITION_RESPONSES = {**ERROR_RESPONSES, 409: OpenApiResponse(description="invalid_transition")}


def _signal_for_role(many: bool = False) -> PolymorphicProxySerializer:
    """Staff get ``Signal``, an ally ``AllySignal`` (their own signal, nothing internal)."""
    return PolymorphicProxySerializer(
        component_name="SignalForRole",
        serializers=[SignalSerializer, AllySignalSerializer],
        resource_type_field_name=None,
        many=many,
    )


def _staff_reads_allies(request: Request, signals: list[Signal]) -> None:
    """Ally names are personal data: staff reading them is logged (allies reading their own is not)."""
    if request_actor(request).is_staff:
        allies = {signal.ally_id: signal.ally for signal in signals}
        log_person_reads(actor=request.user, objs=list(allies.values()), purpose="signals")


@extend_schema_view(
    list=extend_schema(
        parameters=[SignalFilterSerializer],
        description="Staff: all signals of this municipality. Ally: only their own, in the narrowed "
        "AllySignal shape (no internal notes, the owner by role and first name).",
        responses={200: _signal_for_role(many=True), **ERROR_RESPONSES},
    ),
    retrieve=extend_schema(
        description="A signal with its answers thread. Someone else's signal is a 404 for an ally.",
        responses={200: _signal_for_role(), **ERROR_RESPONSES},
    ),
)
class SignalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Signals raised by allies (or on their behalf), with owners, answers and response times."""

    serializer_class = SignalSerializer
    staff_actions = frozenset({"assign", "answer", "close"})

    def get_permissions(self):
        if self.action in self.staff_actions:
            return [IsMunicipalStaff()]
        return [IsMember()]

    def get_queryset(self) -> QuerySet[Signal]:
        return (
            signals_visible_to(self.request.user)
            .select_related("ally", "neighbourhood", "raised_by", "owner__user")
            .prefetch_related("answers__author", "status_changes")
            .order_by("-raised_at", "-id")
        )

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "overdue_cutoff": overdue_cutoff()}

    ally_serializers = {"list": AllySignalSerializer, "retrieve": AllySignalSerializer}

    def get_serializer_class(self):
        """Staff get the full record; an ally the narrowed view of their own signal."""
        return SignalSerializer if request_actor(self.request).is_staff else AllySignalSerializer

    def get_object(self) -> Signal:
        signal = access_signal_by_id(self.request.user, self.kwargs["pk"])
        return self.get_queryset().get(pk=signal.pk)

    def list(self, request: Request, *args, **kwargs) -> Response:
        filters = SignalFilterSerializer(data=request.query_params.dict())
        filters.is_valid(raise_exception=True)
        params = filters.validated_data
        signals = self.get_queryset()
        if "status" in params:
            signals = signals.filter(status=params["status"])
        if "category" in params:
            signals = signals.filter(category=params["category"])
        if "neighbourhood" in params:
            signals = signals.filter(neighbourhood_id=params["neighbourhood"])
        if params.get("overdue") is True:
            signals = signals.overdue(cutoff=overdue_cutoff())
        elif params.get("overdue") is False:
            signals = signals.exclude(pk__in=Signal.objects.overdue(cutoff=overdue_cutoff()).values("pk"))
        page = self.paginate_queryset(signals)
        _staff_reads_allies(request, page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        signal = self.get_object()
        _staff_reads_allies(request, [signal])
        return Response(self.get_serializer(signal).data)

    def _respond(self, signal: Signal, status_code: int = status.HTTP_200_OK) -> Response:
        signal = self.get_queryset().get(pk=signal.pk)
        return Response(self.get_serializer(signal).data, status=status_code)

    @extend_schema(
        request=SignalCreateSerializer,
        responses={201: _signal_for_role(), **ERROR_RESPONSES},
        description="An ally raises a signal for themselves; staff raise one on an ally's behalf (ally_id).",
    )
    def create(self, request: Request) -> Response:
        data = SignalCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        signal = actions.do_raise_signal(**data.validated_data, acting_user=request.user)
        return self._respond(signal, status.HTTP_201_CREATED)

    @extend_schema(request=SignalAssignSerializer, responses={200: SignalSerializer, **TRANSITION_RESPONSES})
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str) -> Response:
        """Give the signal an owner: an official's or police officer's membership of this municipality."""
        signal = access_signal_by_id(request.user, pk)  # a missing id is 404 whatever the body
        data = SignalAssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(
            actions.do_assign_signal_owner(signal, **data.validated_data, acting_user=request.user)
        )

    @extend_schema(
        request=SignalAnswerCreateSerializer,
        responses={201: SignalSerializer, **TRANSITION_RESPONSES},
    )
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: str) -> Response:
        """Answer the ally; the first answer fixes the response time."""
        signal = access_signal_by_id(request.user, pk)  # a missing id is 404 whatever the body
        data = SignalAnswerCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        actions.do_answer_signal(signal, body=data.validated_data["body"], acting_user=request.user)
        return self._respond(signal, status.HTTP_201_CREATED)

    @extend_schema(request=SignalNoteSerializer, responses={200: SignalSerializer, **TRANSITION_RESPONSES})
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        """Close an answered signal."""
        signal = access_signal_by_id(request.user, pk)  # a missing id is 404 whatever the body
        data = SignalNoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(
            actions.do_close_signal(signal, note=data.validated_data["note"], acting_user=request.user)
        )

    @extend_schema(
        request=SignalNoteSerializer, responses={200: AllySignalSerializer, **TRANSITION_RESPONSES}
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str) -> Response:
        """The ally reopens an answered or closed signal of theirs."""
        signal = access_signal_by_id(request.user, pk)  # a missing id is 404 whatever the body
        data = SignalNoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(
            actions.do_reopen_signal(signal, note=data.validated_data["note"], acting_user=request.user)
        )


@extend_schema_view(
    list=extend_schema(
        description="Staff: all notices, with receipt counts. Ally: the notices addressed to them.",
        responses={200: NoticeSerializer(many=True), **ERROR_RESPONSES},
    ),
    retrieve=extend_schema(responses={200: NoticeSerializer, **ERROR_RESPONSES}),
)
class NoticeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Notices of planned interventions to a council or chosen allies, with read receipts."""

    serializer_class = NoticeSerializer
    staff_actions = frozenset({"create", "receipts"})

    def get_permissions(self):
        if self.action in self.staff_actions:
            return [IsMunicipalStaff()]
        return [IsMember()]

    def _staff(self) -> bool:
        return request_actor(self.request).is_staff

    def get_queryset(self) -> QuerySet[Notice]:
        notices = (
            notices_visible_to(self.request.user)
            .select_related("issued_by")
            .order_by("-planned_start", "-id")
        )
        if self._staff():
            return notices.annotate(
                recipient_count=Count("recipients", distinct=True),
                read_count=Count("recipients", filter=Q(recipients__read_at__isnull=False), distinct=True),
            )
        own = NoticeRecipient.objects.filter(
            notice=OuterRef("pk"), key_figure_id__in=request_actor(self.request).ally_key_figure_ids
        ).order_by("read_at")
        return notices.annotate(my_read_at=Subquery(own.values("read_at")[:1]))

    ally_serializers = {"list": AllyNoticeSerializer, "retrieve": AllyNoticeSerializer}

    def get_serializer_class(self):
        return NoticeSerializer if self._staff() else AllyNoticeSerializer

    def get_object(self) -> Notice:
        notice = access_notice_by_id(self.request.user, self.kwargs["pk"])
        return self.get_queryset().get(pk=notice.pk)

    @extend_schema(
        request=NoticeCreateSerializer,
        responses={201: NoticeSerializer, **ERROR_RESPONSES},
        description="Inform a council (council_id) and/or chosen allies (recipient_ids) beforehand.",
    )
    def create(self, request: Request) -> Response:
        data = NoticeCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        notice = actions.do_publish_notice(**data.validated_data, acting_user=request.user)
        notice = self.get_queryset().get(pk=notice.pk)
        return Response(NoticeSerializer(notice, context=self.get_serializer_context()).data, status=201)

    @extend_schema(request=None, responses={200: AllyNoticeSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"], url_path="confirm-read")
    def confirm_read(self, request: Request, pk: str) -> Response:
        """The ally confirms having read the notice (the first time counts)."""
        notice = access_notice_by_id(request.user, pk)
        actions.do_confirm_notice_read(notice, acting_user=request.user)
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(responses={200: NoticeReceiptSerializer(many=True), **ERROR_RESPONSES})
    @action(detail=True, methods=["get"], pagination_class=None)
    def receipts(self, request: Request, pk: str) -> Response:
        """Who the notice went to and who confirmed reading it, when."""
        notice = access_notice_by_id(request.user, pk)
        rows = notice_receipts(notice)
        log_person_reads(actor=request.user, objs=[row.key_figure for row in rows], purpose="notice receipts")
        return Response(NoticeReceiptSerializer(rows, many=True).data)
