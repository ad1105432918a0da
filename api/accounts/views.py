"""``/api/v1/memberships/``: this municipality's staff and the mobile numbers they are reached on.

The method wants everybody to have everybody's number. Staff (officials and police officers of
this municipality) see their colleagues' numbers here; a member sets their own number, an
official a colleague's (``agora.accounts.actions.do_set_membership_mobile``, which checks who
acts). Allies get their council's numbers through the contact sheet instead, not here. Every
response that shows persons logs a read per person.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from agora.accounts.actions import do_set_membership_mobile
from agora.accounts.actors import current_municipality
from agora.accounts.models import Membership
from agora.accounts.roles import STAFF_ROLES
from agora.audit.actions import log_person_reads
from agora.errors import NOT_FOUND
from agora.ids import id_or_not_found
from api.accounts.serializers import MobileInputSerializer, StaffMembershipSerializer
from api.councils.serializers import READ_ERRORS, WRITE_ERRORS
from api.permissions import IsMunicipalStaff

PURPOSE = "staff memberships"


@extend_schema_view(
    list=extend_schema(
        summary="This municipality's staff, with their mobile numbers (staff)",
        responses={200: StaffMembershipSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One staff membership (staff)", responses={200: StaffMembershipSerializer, **READ_ERRORS}
    ),
    partial_update=extend_schema(
        summary="Set the mobile number (your own; an official: a colleague's)",
        request=MobileInputSerializer,
        responses={200: StaffMembershipSerializer, **WRITE_ERRORS},
    ),
)
class MembershipViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    permission_classes = [IsMunicipalStaff]
    serializer_class = StaffMembershipSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Membership]:
        municipality = current_municipality()
        return (
            Membership.objects.filter(
                municipality_id=getattr(municipality, "pk", None),
                role__in=list(STAFF_ROLES),
                is_active=True,
                user__is_active=True,
            )
            .select_related("user")
            .order_by("user__last_name", "user__first_name", "pk")
        )

    def get_object(self) -> Membership:
        found = self.get_queryset().filter(pk=id_or_not_found(self.kwargs["pk"])).first()
        if found is None:
            raise NOT_FOUND()
        return found

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.get_queryset()
        page = self.paginate_queryset(queryset)
        memberships = list(page if page is not None else queryset)
        log_person_reads(actor=request.user, objs=[m.user for m in memberships], purpose=PURPOSE)
        data = self.get_serializer(memberships, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        membership = self.get_object()
        log_person_reads(actor=request.user, objs=[membership.user], purpose=PURPOSE)
        return Response(self.get_serializer(membership).data)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = MobileInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = do_set_membership_mobile(
            self.kwargs["pk"], data.validated_data["mobile"], acting_user=request.user
        )
        log_person_reads(actor=request.user, objs=[membership.user], purpose=PURPOSE)
        return Response(self.get_serializer(membership).data)
