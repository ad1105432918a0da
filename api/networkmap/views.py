"""Network map endpoints: thin views that parse, call one action (or the read model), serialize.

Officials and police officers of this municipality read and write everything here. An ally
reaches only ``key-figures`` and sees only their own record there (a list of one, and 404 for
anybody else's id); everything else is 403 for them, as for strangers and other municipalities'
members. Every key figure shown is logged as a person-record read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agora.accounts.access import request_actor
from agora.audit.actions import log_person_reads
from agora.errors import NOT_FOUND
from agora.ids import parse_id
from api.networkmap.serializers import (
    CityDistrictFilterSerializer,
    CityDistrictSerializer,
    CommunityFilterSerializer,
    CommunitySerializer,
    ContactMomentSerializer,
    KeyFigureFilterSerializer,
    KeyFigureSerializer,
    LinkUserSerializer,
    NeighbourhoodFilterSerializer,
    NeighbourhoodSerializer,
    NetworkMapErrorSerializer,
    NetworkMapQuerySerializer,
    OwnKeyFigureSerializer,
)
from api.permissions import IsMunicipalStaff, IsStaffOrAllyReadOnly
from tenants.networkmap import actions
from tenants.networkmap.access import access_key_figure_by_id, key_figures_visible_to
from tenants.networkmap.errors import INVALID_STALE_MONTHS
from tenants.networkmap.listing import filter_key_figures
from tenants.networkmap.models import CityDistrict, Community, ContactMoment, KeyFigure, Neighbourhood
from tenants.networkmap.queries import network_map
from tenants.networkmap.subject_access import do_erase_person, export_person, require_official


class ActionModelViewSet(viewsets.ModelViewSet):
    """A ModelViewSet whose writes go through the app's actions (never ``serializer.save()``)."""

    create_action: ClassVar[Callable[..., Any]]
    update_action: ClassVar[Callable[..., Any]]
    delete_action: ClassVar[Callable[..., Any]]

    def perform_create(self, serializer) -> None:
        serializer.instance = type(self).create_action(
            serializer.validated_data, acting_user=self.request.user
        )

    def perform_update(self, serializer) -> None:
        serializer.instance = type(self).update_action(
            serializer.instance, serializer.validated_data, acting_user=self.request.user
        )

    def perform_destroy(self, instance) -> None:
        type(self).delete_action(instance, acting_user=self.request.user)

    filter_class: ClassVar[type[serializers.Serializer] | None] = None

    def get_object(self):
        """Missing and malformed ids are both ``not_found`` (never a database error)."""
        if parse_id(self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)) is None:
            raise NOT_FOUND()
        return super().get_object()

    def filter_queryset(self, queryset):
        if self.action != "list" or self.filter_class is None:
            return queryset
        params = self.filter_class(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return self.filter_by(queryset, params.validated_data)

    def filter_by(self, queryset, wanted: dict[str, Any]):
        for word in wanted.get("search", "").split():
            queryset = queryset.filter(name__icontains=word)
        return queryset


_ERROR = OpenApiResponse(NetworkMapErrorSerializer, description="Error in the API's one shape.")
_READ_ERRORS = {401: _ERROR, 403: _ERROR, 404: _ERROR}
_LIST_ERRORS = {400: _ERROR, 401: _ERROR, 403: _ERROR}
_WRITE_ERRORS = {400: _ERROR, **_READ_ERRORS, 409: _ERROR}


def _crud_schema(serializer, filters=None, *, delete: bool = True):
    """The success and 4xx responses of one ``ActionModelViewSet`` (for ``extend_schema_view``)."""
    views = {
        "list": extend_schema(
            parameters=[filters] if filters else None,
            responses={200: serializer(many=True), **_LIST_ERRORS},
        ),
        "retrieve": extend_schema(responses={200: serializer, **_READ_ERRORS}),
        "create": extend_schema(responses={201: serializer, **_WRITE_ERRORS}),
        "update": extend_schema(responses={200: serializer, **_WRITE_ERRORS}),
        "partial_update": extend_schema(responses={200: serializer, **_WRITE_ERRORS}),
    }
    if delete:
        views["destroy"] = extend_schema(responses={204: None, **_READ_ERRORS, 409: _ERROR})
    return views


@extend_schema_view(**_crud_schema(CityDistrictSerializer, CityDistrictFilterSerializer))
class CityDistrictViewSet(ActionModelViewSet):
    """City districts (stadsdelen) that group neighbourhoods."""

    queryset = CityDistrict.objects.order_by("name")
    serializer_class = CityDistrictSerializer
    filter_class = CityDistrictFilterSerializer
    create_action = staticmethod(actions.do_create_city_district)
    update_action = staticmethod(actions.do_update_city_district)
    delete_action = staticmethod(actions.do_delete_city_district)


@extend_schema_view(**_crud_schema(NeighbourhoodSerializer, NeighbourhoodFilterSerializer))
class NeighbourhoodViewSet(ActionModelViewSet):
    """Neighbourhoods (wijken) with their police officers and municipal contact."""

    queryset = (
        Neighbourhood.objects.select_related("city_district", "municipal_contact__user")
        .prefetch_related("police_officers__user")
        .order_by("name")
    )
    serializer_class = NeighbourhoodSerializer
    filter_class = NeighbourhoodFilterSerializer
    create_action = staticmethod(actions.do_create_neighbourhood)
    update_action = staticmethod(actions.do_update_neighbourhood)
    delete_action = staticmethod(actions.do_delete_neighbourhood)

    def filter_by(self, queryset, wanted: dict[str, Any]):
        if "city_district" in wanted:
            queryset = queryset.filter(city_district_id=wanted["city_district"])
        return super().filter_by(queryset, wanted)


@extend_schema_view(**_crud_schema(CommunitySerializer, CommunityFilterSerializer))
class CommunityViewSet(ActionModelViewSet):
    """The municipality's own list of communities."""

    queryset = Community.objects.order_by("kind", "name")
    serializer_class = CommunitySerializer
    filter_class = CommunityFilterSerializer
    create_action = staticmethod(actions.do_create_community)
    update_action = staticmethod(actions.do_update_community)
    delete_action = staticmethod(actions.do_delete_community)

    def filter_by(self, queryset, wanted: dict[str, Any]):
        if "kind" in wanted:
            queryset = queryset.filter(kind=wanted["kind"])
        return super().filter_by(queryset, wanted)


@extend_schema_view(
    **{
        **_crud_schema(KeyFigureSerializer, KeyFigureFilterSerializer, delete=False),
        "retrieve": extend_schema(
            description="Staff see the full record; an ally only their own, minimal record.",
            responses={200: KeyFigureSerializer, **_READ_ERRORS},
        ),
    }
)
class KeyFigureViewSet(ActionModelViewSet):
    """Key figures (sleutelfiguren). ``is_ally`` is read-only: the selection procedure sets it."""

    serializer_class = KeyFigureSerializer
    permission_classes = [IsStaffOrAllyReadOnly]
    # Key figures leave the map through the retention procedure, not through a DELETE here.
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    create_action = staticmethod(actions.do_create_key_figure)
    update_action = staticmethod(actions.do_update_key_figure)

    ally_serializers = {"list": OwnKeyFigureSerializer, "retrieve": OwnKeyFigureSerializer}

    def get_serializer_class(self):
        if getattr(self, "swagger_fake_view", False) or request_actor(self.request).is_staff:
            return KeyFigureSerializer
        return OwnKeyFigureSerializer

    def get_queryset(self) -> QuerySet[KeyFigure]:
        if getattr(self, "swagger_fake_view", False):
            return KeyFigure.objects.none()
        return (
            key_figures_visible_to(self.request)
            .select_related("neighbourhood")
            .prefetch_related("communities")
            .order_by("last_name", "first_name", "id")
        )

    def filter_queryset(self, queryset: QuerySet[KeyFigure]) -> QuerySet[KeyFigure]:
        if self.action != "list":
            return queryset
        params = KeyFigureFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        wanted = params.validated_data
        return filter_key_figures(
            queryset,
            neighbourhood=wanted.get("neighbourhood"),
            community=wanted.get("community"),
            is_ally=wanted.get("is_ally"),
            nominated_by=wanted.get("nominated_by"),
            search=wanted.get("search", ""),
        )

    def get_object(self) -> KeyFigure:
        purpose = f"api: key figure {self.action}"
        return access_key_figure_by_id(self.request, self.kwargs["pk"], purpose=purpose)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        log_person_reads(actor=request.user, objs=list(page), purpose="api: key figure list")
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        responses={200: ContactMomentSerializer(many=True), **_READ_ERRORS},
        description="Contact moments, newest first.",
    )
    @action(detail=True, methods=["get"], permission_classes=[IsMunicipalStaff])
    def contacts(self, request: Request, pk: str | None = None) -> Response:
        key_figure = self.get_object()
        contacts = ContactMoment.objects.filter(key_figure=key_figure).select_related("membership__user")
        page = self.paginate_queryset(contacts.order_by("-date", "-id"))
        return self.get_paginated_response(ContactMomentSerializer(page, many=True).data)

    @extend_schema(
        request=ContactMomentSerializer,
        responses={201: ContactMomentSerializer, **_WRITE_ERRORS},
        description="Record a contact moment; moves the key figure's last contact date forward.",
    )
    @contacts.mapping.post
    def record_contact(self, request: Request, pk: str | None = None) -> Response:
        key_figure = self.get_object()
        serializer = ContactMomentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        contact = actions.do_record_contact(key_figure, acting_user=request.user, **serializer.validated_data)
        return Response(ContactMomentSerializer(contact).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=LinkUserSerializer,
        responses={200: KeyFigureSerializer, **_WRITE_ERRORS},
        description=(
            "Link the ally's own login to this record (staff only): the user must be an active ally "
            "of this municipality and may be linked to one key figure only; null unlinks."
        ),
    )
    @action(detail=True, methods=["post"], url_path="link-user", permission_classes=[IsMunicipalStaff])
    def link_user(self, request: Request, pk: str | None = None) -> Response:
        key_figure = self.get_object()
        serializer = LinkUserSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        key_figure = actions.do_link_key_figure_user(
            key_figure.pk, serializer.validated_data["user"], acting_user=request.user
        )
        return Response(KeyFigureSerializer(key_figure).data)

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT, **_READ_ERRORS},
        description=(
            "Subject access (GDPR art. 15; officials only): everything this municipality holds about "
            "the person, and who read their record. The export is itself logged as a read."
        ),
    )
    @action(detail=True, methods=["get"], url_path="subject-access", permission_classes=[IsMunicipalStaff])
    def subject_access(self, request: Request, pk: str | None = None) -> Response:
        require_official(request.user)  # before the lookup: nobody else's lookup is logged as a read
        key_figure = self.get_object()
        return Response(export_person(key_figure.pk, acting_user=request.user))

    @extend_schema(
        request=None,
        responses={200: OpenApiTypes.OBJECT, **_WRITE_ERRORS},
        description=(
            "Erasure (GDPR art. 17; officials only): anonymise the person everywhere in this "
            "municipality (record, nominations, contacts, signals, crisis log). Answers the ids touched."
        ),
    )
    @action(detail=True, methods=["post"], url_path="erase", permission_classes=[IsMunicipalStaff])
    def erase(self, request: Request, pk: str | None = None) -> Response:
        require_official(request.user)
        key_figure = self.get_object()
        return Response(do_erase_person(key_figure.pk, acting_user=request.user))


class NetworkMapView(APIView):
    """The network map of this municipality with its gaps (plain data, no contact details)."""

    permission_classes = [IsMunicipalStaff]

    @extend_schema(
        parameters=[NetworkMapQuerySerializer],
        responses={200: OpenApiTypes.OBJECT, 400: _ERROR, 401: _ERROR, 403: _ERROR},
    )
    def get(self, request: Request) -> Response:
        params = NetworkMapQuerySerializer(data=request.query_params)
        if not params.is_valid():
            raise INVALID_STALE_MONTHS(fields=params.errors)
        data = network_map(stale_after_months=params.validated_data.get("stale_after_months"))
        shown = {person["id"] for block in data["communities"] for person in block["key_figures"]}
        shown |= {person["id"] for person in data["gaps"]["stale_relationships"]}
        log_person_reads(
            actor=request.user, objs=[KeyFigure(pk=pk) for pk in sorted(shown)], purpose="api: network map"
        )
        return Response(data)
