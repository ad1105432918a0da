"""Serializers of the selection API: shapes only. The rules live in ``tenants.selection.actions``.

Input serializers check types and choices (400 ``validation_failed``); anything that depends on the
case, the person or the acting user is left to the actions, so the API and the admin refuse alike.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.fields import IdField
from tenants.selection.models import (
    ASSESSMENT_QUESTIONS,
    Answer,
    Approval,
    HomeVisit,
    SelectionCase,
    Transition,
)
from tenants.selection.workflow import SELECTION_WORKFLOW, CaseState

# --- output ---------------------------------------------------------------------------------------


class SelectionErrorSerializer(serializers.Serializer):
    """The API's one error shape (see ``api.errors``), documented for the selection endpoints."""

    code = serializers.CharField(help_text="Stable error code, e.g. professional_representative.")
    detail = serializers.CharField(help_text="Human message in the request's language (nl or en).")
    fields = serializers.DictField(help_text="Field errors, keyed by input field.")


class CaseKeyFigureSerializer(serializers.Serializer):
    """What a case shows of its key figure: enough to recognise the person and the hard rules."""

    id = serializers.IntegerField()
    full_name = serializers.CharField()
    neighbourhood = serializers.CharField(source="neighbourhood.name", default=None, allow_null=True)
    is_ally = serializers.BooleanField()
    is_professional_representative = serializers.BooleanField()
    residence_cbs_code = serializers.CharField(help_text="Empty: lives in this municipality.")


class ApprovalSerializer(serializers.ModelSerializer):
    reviewer = serializers.CharField(source="user.display_name")

    class Meta:
        model = Approval
        fields = ["id", "side", "membership", "user", "reviewer", "note", "approved_at"]


class AssessmentItemSerializer(serializers.Serializer):
    question = serializers.ChoiceField(choices=list(ASSESSMENT_QUESTIONS))
    label = serializers.CharField()
    answer = serializers.ChoiceField(choices=Answer.choices)
    notes = serializers.CharField(allow_blank=True)


class HomeVisitSerializer(serializers.ModelSerializer):
    visitors = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    assessment = serializers.SerializerMethodField()

    class Meta:
        model = HomeVisit
        fields = ["visited_on", "visitors", "assessment", "recorded_by", "recorded_at"]

    @extend_schema_field(AssessmentItemSerializer(many=True))
    def get_assessment(self, visit: HomeVisit) -> list[dict[str, Any]]:
        return [
            {
                "question": question,
                "label": str(label),
                "answer": visit.answer(question),
                "notes": visit.notes(question),
            }
            for question, label in ASSESSMENT_QUESTIONS.items()
        ]


class TransitionSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="user.display_name")

    class Meta:
        model = Transition
        fields = [
            "id",
            "from_state",
            "to_state",
            "user",
            "membership",
            "role",
            "actor",
            "reason",
            "created_at",
        ]


class SelectionCaseSerializer(serializers.ModelSerializer):
    """A case in a list: where it stands, and which sides have approved."""

    key_figure = CaseKeyFigureSerializer()
    state_label = serializers.SerializerMethodField(help_text="The state's name in the request's language.")
    approved_sides = serializers.SerializerMethodField()

    class Meta:
        model = SelectionCase
        fields = ["id", "key_figure", "state", "state_label", "approved_sides", "opened_at", "updated_at"]

    def get_state_label(self, case: SelectionCase) -> str:
        return SELECTION_WORKFLOW.label(case.state)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_approved_sides(self, case: SelectionCase) -> list[str]:
        return sorted({approval.side for approval in case.approvals.all()})


class SelectionCaseDetailSerializer(SelectionCaseSerializer):
    """A case with its approvals, home visit and full history."""

    approvals = ApprovalSerializer(many=True)
    home_visit = serializers.SerializerMethodField()
    history = TransitionSerializer(many=True, source="transitions")

    class Meta(SelectionCaseSerializer.Meta):
        fields = SelectionCaseSerializer.Meta.fields + ["approvals", "home_visit", "history"]

    @extend_schema_field(HomeVisitSerializer(allow_null=True))
    def get_home_visit(self, case: SelectionCase) -> dict[str, Any] | None:
        visit = getattr(case, "home_visit", None)
        return HomeVisitSerializer(visit).data if visit is not None else None


# --- input ----------------------------------------------------------------------------------------


class CaseFilterSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=CaseState.choices, required=False)
    key_figure = IdField(required=False)


class OpenCaseSerializer(serializers.Serializer):
    key_figure = IdField(help_text="A key figure of this municipality.")
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    # Blank is accepted here so that the action answers with its stable code ``reason_required``.
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class AnswerSerializer(serializers.Serializer):
    answer = serializers.ChoiceField(choices=Answer.choices)
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class HomeVisitInputSerializer(serializers.Serializer):
    visited_on = serializers.DateField()
    visitors = serializers.ListField(
        child=IdField(),
        allow_empty=True,
        help_text="Membership ids of the officials and police officers who made the visit.",
    )
    inclusive = AnswerSerializer()
    open_to_society = AnswerSerializer()
    wants_to_connect = AnswerSerializer()
    helps_with_conflicts = AnswerSerializer()


class DecideSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=[CaseState.ALLY, CaseState.NOT_SUITABLE])
    reason = serializers.CharField(required=False, allow_blank=True, default="")
