"""Serializers of the councils API: shapes only. The rules live in ``tenants.councils.actions``.

Output serializers are read-only throughout: no field offers a queryset (the browsable API
would list every User or Membership of the platform in a select). Input serializers take
plain integer ids, which the actions check against this municipality.

Input serializers check types and choices (400 ``validation_failed``); whether an id belongs to
this municipality, whether a member is an ally, the size limits and the meal rule are left to
the actions, so that the API, the admin and the demo refuse alike, with the same codes.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema_field
from rest_framework import serializers

from api.fields import DateTimeField, IdField
from tenants.councils.actions import RULE_FIELDS
from tenants.councils.exports import call_links
from tenants.councils.models import (
    Acknowledgement,
    AgendaItem,
    AgendaItemKind,
    Attendance,
    Council,
    CouncilMember,
    CouncilRules,
    Handover,
    Meeting,
    OverrideApproval,
    OverrideSide,
)
from tenants.councils.schedule import council_schedule
from tenants.councils.workflow import AgendaItemStatus

# --- shared ---------------------------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    """The API's one error shape (see ``api.errors``), documented for the council endpoints."""

    code = serializers.CharField(help_text="Stable error code, e.g. council_crosses_boundary.")
    detail = serializers.CharField(help_text="Human message in the request's language (nl or en).")
    fields = serializers.DictField(help_text="Field errors, keyed by input field.")


_ERROR = OpenApiResponse(ErrorSerializer, description="Error in the API's one shape.")
# The error responses every council endpoint documents: reads, and writes (which add 400 and 409).
READ_ERRORS = {401: _ERROR, 403: _ERROR, 404: _ERROR}
WRITE_ERRORS = {400: _ERROR, **READ_ERRORS, 409: _ERROR}


class WarningSerializer(serializers.Serializer):
    """Advice of the method that did not stop the change (or that was acknowledged)."""

    code = serializers.CharField()
    detail = serializers.CharField()
    needs_acknowledgement = serializers.BooleanField()
    acknowledged = serializers.BooleanField(required=False)
    params = serializers.DictField()


# --- rules ----------------------------------------------------------------------------------------


class CouncilRulesSerializer(serializers.ModelSerializer):
    """The municipality's council rules. PATCH any subset; the action checks they add up."""

    class Meta:
        model = CouncilRules
        fields = [*RULE_FIELDS, "updated_at"]
        read_only_fields = ["updated_at"]


# --- councils -------------------------------------------------------------------------------------


class LeadSerializer(serializers.Serializer):
    membership = serializers.IntegerField(source="pk")
    user = serializers.IntegerField(source="user_id")
    name = serializers.CharField(source="user.display_name")
    title = serializers.CharField()
    has_mobile = serializers.SerializerMethodField(help_text="Reachable: a mobile number is set here.")

    def get_has_mobile(self, membership) -> bool:
        return bool(membership.mobile)

    role = serializers.CharField()


class CouncilMemberSerializer(serializers.ModelSerializer):
    member = serializers.IntegerField(source="pk", help_text="The seat id (used for attendance).")
    name = serializers.CharField(source="key_figure.full_name")

    class Meta:
        model = CouncilMember
        fields = ["member", "key_figure", "name", "joined_on", "left_on", "left_reason"]
        read_only_fields = fields


class AcknowledgementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Acknowledgement
        fields = ["code", "subject", "acknowledged_by", "acknowledged_at"]
        read_only_fields = fields


class ScheduleSerializer(serializers.Serializer):
    held_meetings = serializers.IntegerField()
    last_held_at = DateTimeField(allow_null=True)
    next_due_on = serializers.DateField()
    is_overdue = serializers.BooleanField()
    in_relationship_phase = serializers.BooleanField()
    next_planned_at = DateTimeField(allow_null=True)


class CouncilSerializer(serializers.ModelSerializer):
    """A council: scope, leads and deputies, current and former members, schedule."""

    municipal_lead = LeadSerializer(allow_null=True)
    municipal_deputy = LeadSerializer(allow_null=True)
    police_lead = LeadSerializer(allow_null=True)
    police_deputy = LeadSerializer(allow_null=True)
    members = serializers.SerializerMethodField()
    former_members = serializers.SerializerMethodField()
    schedule = serializers.SerializerMethodField()
    acknowledgements = AcknowledgementSerializer(many=True)

    class Meta:
        model = Council
        fields = [
            "id",
            "name",
            "covers_whole_municipality",
            "neighbourhoods",
            "municipal_lead",
            "municipal_deputy",
            "police_lead",
            "police_deputy",
            "started_on",
            "members",
            "former_members",
            "schedule",
            "acknowledgements",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(CouncilMemberSerializer(many=True))
    def get_members(self, council: Council) -> list[dict[str, Any]]:
        seats = [s for s in council.members.all() if s.left_on is None]
        return CouncilMemberSerializer(seats, many=True).data

    @extend_schema_field(CouncilMemberSerializer(many=True))
    def get_former_members(self, council: Council) -> list[dict[str, Any]]:
        seats = [s for s in council.members.all() if s.left_on is not None]
        return CouncilMemberSerializer(seats, many=True).data

    @extend_schema_field(ScheduleSerializer)
    def get_schedule(self, council: Council) -> dict[str, Any]:
        return dict(council_schedule(council, rules=self.context.get("rules")))


class AllyLeadSerializer(serializers.Serializer):
    name = serializers.CharField(source="user.display_name")


class AllyMemberSerializer(serializers.Serializer):
    name = serializers.CharField(source="key_figure.full_name")


class CallLinkSerializer(serializers.Serializer):
    seat = serializers.ChoiceField(
        choices=["municipal_lead", "municipal_deputy", "police_lead", "police_deputy"]
    )
    side = serializers.ChoiceField(choices=OverrideSide.choices)
    name = serializers.CharField()
    label = serializers.CharField(
        help_text='"Bel de wijkagent" / "Bel de gemeente", in the request\'s language.'
    )
    tel = serializers.CharField(help_text="A tel: URI (RFC 3966), e.g. tel:+31612345678.")


class AllyCouncilSerializer(serializers.ModelSerializer):
    """What an ally sees of their council: who sits on it now and when it meets. No staff notes."""

    municipal_lead = AllyLeadSerializer(allow_null=True)
    municipal_deputy = AllyLeadSerializer(allow_null=True)
    police_lead = AllyLeadSerializer(allow_null=True)
    police_deputy = AllyLeadSerializer(allow_null=True)
    members = serializers.SerializerMethodField()
    schedule = serializers.SerializerMethodField()
    call = serializers.SerializerMethodField(
        help_text="Tap-to-call links for the council's leads and deputies who have a mobile number."
    )

    class Meta:
        model = Council
        fields = [
            "id",
            "name",
            "covers_whole_municipality",
            "neighbourhoods",
            "municipal_lead",
            "municipal_deputy",
            "police_lead",
            "police_deputy",
            "started_on",
            "members",
            "schedule",
            "call",
        ]
        read_only_fields = fields

    @extend_schema_field(CallLinkSerializer(many=True))
    def get_call(self, council: Council) -> list[dict[str, Any]]:
        return call_links(council)

    @extend_schema_field(AllyMemberSerializer(many=True))
    def get_members(self, council: Council) -> list[dict[str, Any]]:
        seats = [s for s in council.members.all() if s.left_on is None]
        return AllyMemberSerializer(seats, many=True).data

    @extend_schema_field(ScheduleSerializer)
    def get_schedule(self, council: Council) -> dict[str, Any]:
        return dict(council_schedule(council, rules=self.context.get("rules")))


class CouncilResultSerializer(CouncilSerializer):
    """A council after a change, with the method's warnings."""

    warnings = WarningSerializer(many=True, read_only=True)

    class Meta(CouncilSerializer.Meta):
        fields = CouncilSerializer.Meta.fields + ["warnings"]


_ACK_HELP = 'Warnings you have read and accept, e.g. ["municipal_member_is_administrator"].'


class CouncilCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    covers_whole_municipality = serializers.BooleanField(default=True)
    neighbourhoods = serializers.ListField(
        child=IdField(boundary=True), required=False, default=list, help_text="Neighbourhood ids."
    )
    municipal_lead = IdField(boundary=True, help_text="Membership id (official of this municipality).")
    municipal_deputy = IdField(boundary=True, required=False, allow_null=True, default=None)
    police_lead = IdField(boundary=True, help_text="Membership id (police officer of this municipality).")
    police_deputy = IdField(boundary=True, required=False, allow_null=True, default=None)
    key_figures = serializers.ListField(
        child=IdField(boundary=True), required=False, default=list, help_text="Key figure ids (allies)."
    )
    started_on = serializers.DateField(required=False, allow_null=True, default=None)
    acknowledge = serializers.ListField(
        child=serializers.CharField(), required=False, default=list, help_text=_ACK_HELP
    )


class CouncilUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    covers_whole_municipality = serializers.BooleanField(required=False)
    neighbourhoods = serializers.ListField(child=IdField(boundary=True), required=False)


class LeadsInputSerializer(serializers.Serializer):
    municipal_lead = IdField(boundary=True)
    municipal_deputy = IdField(boundary=True, required=False, allow_null=True, default=None)
    police_lead = IdField(boundary=True)
    police_deputy = IdField(boundary=True, required=False, allow_null=True, default=None)
    acknowledge = serializers.ListField(
        child=serializers.CharField(), required=False, default=list, help_text=_ACK_HELP
    )


class AddMembersSerializer(serializers.Serializer):
    key_figures = serializers.ListField(child=IdField(boundary=True), allow_empty=False)
    joined_on = serializers.DateField(required=False, allow_null=True, default=None)


class LeaveSerializer(serializers.Serializer):
    key_figure = IdField()
    left_on = serializers.DateField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class ContactSerializer(serializers.Serializer):
    seat = serializers.ChoiceField(
        choices=["ally", "municipal_lead", "municipal_deputy", "police_lead", "police_deputy"]
    )
    name = serializers.CharField()
    mobile = serializers.CharField()
    email = serializers.CharField()
    organisation = serializers.CharField()
    is_you = serializers.BooleanField()


class ContactSheetSerializer(serializers.Serializer):
    council = IdField()
    name = serializers.CharField()
    contacts = ContactSerializer(many=True)


# --- meetings -------------------------------------------------------------------------------------


class AttendanceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attendance
        fields = ["member", "membership", "present"]
        read_only_fields = fields


class MeetingSerializer(serializers.ModelSerializer):
    attendance = AttendanceSerializer(many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "council",
            "starts_at",
            "ends_at",
            "place",
            "meal",
            "status",
            "notes",
            "cancel_reason",
            "attendance",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class AllyMeetingSerializer(serializers.ModelSerializer):
    """A meeting as an ally sees it: when, where, what is eaten. No notes, no attendance."""

    class Meta:
        model = Meeting
        fields = ["id", "council", "starts_at", "ends_at", "place", "meal", "status"]
        read_only_fields = fields


class MeetingCreateSerializer(serializers.Serializer):
    council = IdField()
    starts_at = DateTimeField(help_text="Naive times are read as Europe/Amsterdam.")
    ends_at = DateTimeField(required=False, allow_null=True, default=None)
    place = serializers.CharField(max_length=200)
    # Blank is accepted here so that the action answers with its stable code ``meal_required``.
    meal = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class MeetingUpdateSerializer(serializers.Serializer):
    starts_at = DateTimeField(required=False)
    ends_at = DateTimeField(required=False, allow_null=True)
    place = serializers.CharField(max_length=200, required=False)
    meal = serializers.CharField(max_length=200, required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True)


class MemberPresenceSerializer(serializers.Serializer):
    member = IdField(help_text="Seat id from the council's members.")
    present = serializers.BooleanField()


class LeadPresenceSerializer(serializers.Serializer):
    membership = IdField(help_text="Membership id of a lead or deputy of this council.")
    present = serializers.BooleanField()


class AttendanceInputSerializer(serializers.Serializer):
    members = MemberPresenceSerializer(many=True, required=False, default=list)
    leads = LeadPresenceSerializer(many=True, required=False, default=list)


class HoldSerializer(serializers.Serializer):
    notes = serializers.CharField(required=False, allow_blank=True, allow_null=True, default=None)


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class MeetingFilterSerializer(serializers.Serializer):
    council = IdField(required=False)


# --- agenda ---------------------------------------------------------------------------------------


class OverrideApprovalSerializer(serializers.ModelSerializer):
    class Meta:
        model = OverrideApproval
        fields = ["side", "rules", "approved_by", "approved_at"]
        read_only_fields = fields


class AgendaItemSerializer(serializers.ModelSerializer):
    """An agenda item. Members are equals: the proposer is shown, never a rank."""

    approvals = OverrideApprovalSerializer(many=True, read_only=True)
    proposed_by_name = serializers.CharField(source="proposed_by.display_name", read_only=True)

    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "council",
            "meeting",
            "title",
            "description",
            "kind",
            "is_international",
            "status",
            "override_rules",
            "override_reason",
            "approvals",
            "proposed_by",
            "proposed_by_name",
            "proposed_at",
        ]
        # ``proposed_by`` is the requesting user, set by the action; never a choice of users.
        read_only_fields = fields


class AgendaItemCreateSerializer(serializers.Serializer):
    council = IdField()
    meeting = IdField(required=False, allow_null=True, default=None)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=AgendaItemKind.choices, default=AgendaItemKind.GENERAL)
    is_international = serializers.BooleanField(default=False)
    request_override = serializers.BooleanField(
        default=False,
        help_text="Ask both leads to override a rule (relationship phase, international topic).",
    )
    override_reason = serializers.CharField(required=False, allow_blank=True, default="")


class AgendaStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[AgendaItemStatus.DISCUSSED, AgendaItemStatus.WITHDRAWN])


class AgendaFilterSerializer(serializers.Serializer):
    council = IdField(required=False)
    meeting = IdField(required=False)
    status = serializers.ChoiceField(choices=AgendaItemStatus.choices, required=False)


class HandOverInputSerializer(serializers.Serializer):
    side = serializers.ChoiceField(choices=OverrideSide.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class HandoverPersonSerializer(serializers.Serializer):
    membership = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="user.display_name")
    title = serializers.CharField()


class HandoverSerializer(serializers.ModelSerializer):
    """A seat passed on, and what was open (counts and ids) when it was, for the successor."""

    from_membership = HandoverPersonSerializer()
    to_membership = HandoverPersonSerializer(allow_null=True)
    summary = serializers.DictField(
        help_text='{"signals": {"count", "ids"}, "notices": {..}, "follow_ups": {..}, "successor_has_mobile"}'
    )

    class Meta:
        model = Handover
        fields = [
            "id",
            "council",
            "side",
            "seat",
            "from_membership",
            "to_membership",
            "reason",
            "summary",
            "at",
        ]
        read_only_fields = fields
