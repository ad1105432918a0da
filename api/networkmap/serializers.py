"""Serializers of the network map API: shapes and types only; the rules live in the actions."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from rest_framework import serializers

from agora.accounts.actors import active_members
from agora.accounts.models import Membership
from agora.accounts.roles import STAFF_ROLES, Role
from agora.ids import parse_id
from api.fields import IdField
from tenants.networkmap.listing import NOMINATED_BY
from tenants.networkmap.models import (
    CityDistrict,
    Community,
    CommunityKind,
    ContactKind,
    ContactMoment,
    KeyFigure,
    Neighbourhood,
)


class NetworkMapErrorSerializer(serializers.Serializer):
    """The API's one error shape (see ``api.errors``), documented for the network map endpoints."""

    code = serializers.CharField(help_text="Stable error code, e.g. networkmap_duplicate_name.")
    detail = serializers.CharField(help_text="Human message in the request's language (nl or en).")
    fields = serializers.DictField(help_text="Field errors, keyed by input field.")


class MembershipIdField(serializers.PrimaryKeyRelatedField):
    """A membership id, passed to the action unchecked.

    Memberships live in the public schema; whether one belongs to this municipality and has the
    right role is the boundary rule, checked (with its own error codes) by the actions. So the
    serializer only parses the id and does not look it up. Its queryset only serves the choices
    a form renderer (the browsable API) offers: the active memberships of *this* municipality
    with ``roles``, never anybody of another municipality.
    """

    def __init__(self, *, roles: Iterable[str], **kwargs: Any) -> None:
        self.roles = frozenset(roles)
        super().__init__(queryset=Membership.objects.none(), **kwargs)

    def get_queryset(self):
        return active_members(self.roles)

    def to_internal_value(self, data: Any) -> int:
        return _id_value(self, data)


def _id_value(field: serializers.Field, data: Any) -> int:
    """An id as ``agora.ids`` reads it (ASCII digits only: "٣" is not 3); else the field's error."""
    if isinstance(data, bool) or not re.fullmatch(r"-?[0-9]+", str(data).strip() if data is not None else ""):
        field.fail("incorrect_type", data_type=type(data).__name__)
    value = parse_id(str(data).strip())
    if value is None:
        field.fail("does_not_exist", pk_value=data)
    return value


class MemberSerializer(serializers.Serializer):
    """A staff member as the map shows them: name and title, never contact details."""

    membership_id = serializers.IntegerField(source="pk", read_only=True)
    name = serializers.CharField(source="user.display_name", read_only=True)
    title = serializers.CharField(read_only=True)


class CityDistrictSerializer(serializers.ModelSerializer):
    class Meta:
        model = CityDistrict
        fields = ["id", "name"]


class NeighbourhoodSerializer(serializers.ModelSerializer):
    police_officers = MembershipIdField(
        roles={Role.POLICE},
        many=True,
        required=False,
        help_text="Membership ids of this municipality's police officers.",
    )
    municipal_contact = MembershipIdField(
        roles={Role.OFFICIAL},
        allow_null=True,
        required=False,
        help_text="Membership id of an official of this municipality.",
    )
    police_officer_details = MemberSerializer(source="police_officers", many=True, read_only=True)
    municipal_contact_detail = MemberSerializer(source="municipal_contact", read_only=True, allow_null=True)

    class Meta:
        model = Neighbourhood
        fields = [
            "id",
            "name",
            "cbs_code",
            "city_district",
            "police_officers",
            "municipal_contact",
            "police_officer_details",
            "municipal_contact_detail",
        ]


class CommunitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Community
        fields = ["id", "kind", "name"]
        # The (kind, name) uniqueness is checked by the action, with its own error code.
        validators: list = []


class KeyFigureSerializer(serializers.ModelSerializer):
    """The full record, for officials and police officers of this municipality."""

    full_name = serializers.CharField(read_only=True)
    mobile = serializers.CharField(
        required=False, allow_blank=True, max_length=40, help_text="Any Dutch or international format."
    )
    email = serializers.CharField(required=False, allow_blank=True, max_length=254)

    class Meta:
        model = KeyFigure
        fields = [
            "id",
            "first_name",
            "infix",
            "last_name",
            "full_name",
            "mobile",
            "email",
            "neighbourhood",
            "residence_cbs_code",
            "communities",
            "represents",
            "influence_notes",
            "nominated_by_municipality",
            "nominated_by_police",
            "is_professional_representative",
            "is_ally",
            "user",
            "last_contact_on",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["is_ally", "user", "last_contact_on", "created_at", "updated_at"]


class OwnKeyFigureSerializer(serializers.ModelSerializer):
    """What an ally sees of their own record: who they are on the map, nothing of the assessment."""

    full_name = serializers.CharField(read_only=True)
    neighbourhood = serializers.StringRelatedField(read_only=True)
    communities = serializers.StringRelatedField(many=True, read_only=True)

    class Meta:
        model = KeyFigure
        fields = [
            "id",
            "first_name",
            "infix",
            "last_name",
            "full_name",
            "mobile",
            "email",
            "neighbourhood",
            "communities",
            "is_ally",
        ]
        read_only_fields = fields


class ContactMomentSerializer(serializers.ModelSerializer):
    date = serializers.DateField(required=False, help_text="Defaults to today.")
    kind = serializers.ChoiceField(choices=ContactKind.choices, required=False, default=ContactKind.VISIT)
    membership = MembershipIdField(
        roles=STAFF_ROLES,
        required=False,
        help_text="Who had the contact (staff membership id); defaults to you.",
    )
    membership_detail = MemberSerializer(source="membership", read_only=True, allow_null=True)
    follow_up_on = serializers.DateField(
        required=False, allow_null=True, help_text="A next contact agreed in this one, due by this date."
    )
    follow_up_by = serializers.IntegerField(
        source="follow_up_by_id", read_only=True, allow_null=True, help_text="Who follows up (membership id)."
    )

    class Meta:
        model = ContactMoment
        fields = [
            "id",
            "key_figure",
            "date",
            "kind",
            "note",
            "membership",
            "membership_detail",
            "follow_up_on",
            "follow_up_by",
            "created_at",
        ]
        read_only_fields = ["key_figure", "follow_up_by", "created_at"]


class KeyFigureFilterSerializer(serializers.Serializer):
    """The list's query parameters."""

    neighbourhood = IdField(required=False)
    community = IdField(required=False)
    is_ally = serializers.BooleanField(required=False, allow_null=True, default=None)
    nominated_by = serializers.ChoiceField(
        choices=list(NOMINATED_BY),
        required=False,
        help_text="On the municipality's list, the police's list, both, or only one of them.",
    )
    search = serializers.CharField(required=False, max_length=100, help_text="Part of the name.")


class NetworkMapQuerySerializer(serializers.Serializer):
    stale_after_months = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=120,
        help_text=(
            "No contact for this many months makes a relationship stale "
            "(default: the municipality's council rules, stale_contact_months)."
        ),
    )


class LinkUserSerializer(serializers.Serializer):
    """Which login is this ally's own (a plain id: the action checks it, nothing is listed)."""

    user = IdField(
        allow_null=True,
        help_text="User id of an active ally of this municipality; null unlinks.",
    )


class CityDistrictFilterSerializer(serializers.Serializer):
    search = serializers.CharField(required=False, max_length=100, help_text="Part of the name.")


class NeighbourhoodFilterSerializer(serializers.Serializer):
    city_district = IdField(required=False, help_text="City district id.")
    search = serializers.CharField(required=False, max_length=100, help_text="Part of the name.")


class CommunityFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CommunityKind.choices, required=False)
    search = serializers.CharField(required=False, max_length=100, help_text="Part of the name.")
