"""Councils in the municipality's admin (for corrections), with the API's rules.

Every save goes through ``tenants.councils.actions``. The forms first run the same action as
a dry run in a savepoint that is always rolled back, so a broken rule (boundary, size, meal,
the mayor/alderman acknowledgement) shows as a form error with its message, never as a
crash; the real save then runs the action once more. Opening a council logs the reads of the
persons its page shows: both sides' leads and deputies, and every seat.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest

from agora.accounts.roles import Role
from agora.audit.actions import log_person_reads
from agora.errors import DomainError
from frontend.tenant_admin import (
    MembershipModelAdmin,
    ReadOnlyInline,
    check_with_action,
    member_choices,
    nothing_saved,
    tenant_admin_site,
)
from tenants.councils import actions
from tenants.councils.errors import MUNICIPAL_MEMBER_IS_ADMINISTRATOR
from tenants.councils.models import (
    AgendaItem,
    AgendaItemStatusChange,
    Attendance,
    Council,
    CouncilMember,
    CouncilRules,
    Meeting,
    MeetingStatusChange,
    OverrideApproval,
)
from tenants.councils.rules import current_rules
from tenants.networkmap.models import KeyFigure

# Field names the actions use, as this admin's forms call them.
_ALIASES = {"key_figures": "allies", "acknowledge": "acknowledge_administrator"}


# --- rules ---


class CouncilRulesForm(forms.ModelForm):
    class Meta:
        model = CouncilRules
        fields = list(actions.RULE_FIELDS)

    user: Any = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.errors:
            check_with_action(
                self, lambda: actions.do_update_council_rules(dict(cleaned), acting_user=self.user)
            )
        return cleaned

    def _post_clean(self) -> None:
        # The action checks the rules; the model's own validation would touch the row twice.
        pass


@admin.register(CouncilRules, site=tenant_admin_site)
class CouncilRulesAdmin(MembershipModelAdmin):
    form = CouncilRulesForm
    list_display = ["__str__", "max_size", "max_allies", "meeting_interval_weeks", "relationship_meetings"]

    def get_queryset(self, request):
        current_rules()  # the singleton exists with the method's defaults
        return super().get_queryset(request)

    def has_add_permission(self, request) -> bool:
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.user = request.user
        return form

    def save_model(self, request, obj, form, change) -> None:
        saved = actions.do_update_council_rules(form.cleaned_data, acting_user=request.user)
        obj.pk = saved.pk
        obj.refresh_from_db()


# --- councils ---


class CouncilForm(forms.ModelForm):
    allies = forms.ModelMultipleChoiceField(
        queryset=KeyFigure.objects.none(),
        required=False,
        label="Bondgenoten toevoegen",
        help_text="Only allies (selected through the selection procedure) can be seated.",
    )
    acknowledge_administrator = forms.BooleanField(
        required=False,
        label="Ik heb de waarschuwing gelezen: burgemeester of wethouder als gemeentelijk lid",
    )

    class Meta:
        model = Council
        fields = [
            "name",
            "covers_whole_municipality",
            "neighbourhoods",
            "municipal_lead",
            "municipal_deputy",
            "police_lead",
            "police_deputy",
            "started_on",
        ]

    user: Any = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, role in (
            ("municipal_lead", Role.OFFICIAL),
            ("municipal_deputy", Role.OFFICIAL),
            ("police_lead", Role.POLICE),
            ("police_deputy", Role.POLICE),
        ):
            self.fields[name].queryset = member_choices([role])
        seated = (
            self.instance.members.filter(left_on__isnull=True).values_list("key_figure_id", flat=True)
            if self.instance.pk
            else []
        )
        self.fields["allies"].queryset = KeyFigure.objects.filter(is_ally=True).exclude(pk__in=list(seated))

    def acknowledge(self) -> list[str]:
        return (
            [MUNICIPAL_MEMBER_IS_ADMINISTRATOR.code]
            if self.cleaned_data.get("acknowledge_administrator")
            else []
        )

    def save_with_actions(self, council: Council | None) -> actions.CouncilResult:
        """Create, or update name/scope, leads and new members: each through its action."""
        data = self.cleaned_data
        leads = {
            "municipal_lead_id": getattr(data.get("municipal_lead"), "pk", None),
            "municipal_deputy_id": getattr(data.get("municipal_deputy"), "pk", None),
            "police_lead_id": getattr(data.get("police_lead"), "pk", None),
            "police_deputy_id": getattr(data.get("police_deputy"), "pk", None),
        }
        neighbourhood_ids = [n.pk for n in data.get("neighbourhoods") or []]
        allies = [kf.pk for kf in data.get("allies") or []]
        if council is None:
            return actions.do_create_council(
                name=data["name"],
                covers_whole_municipality=data.get("covers_whole_municipality", True),
                neighbourhood_ids=neighbourhood_ids,
                key_figure_ids=allies,
                started_on=data.get("started_on"),
                acknowledge=self.acknowledge(),
                acting_user=self.user,
                **leads,
            )
        result = actions.do_update_council(
            council,
            name=data["name"],
            covers_whole_municipality=data.get("covers_whole_municipality", True),
            neighbourhood_ids=neighbourhood_ids,
            acting_user=self.user,
        )
        warnings = list(result.warnings)
        if any(getattr(council, name) != pk for name, pk in leads.items()):
            warnings += actions.do_set_council_leads(
                council, acknowledge=self.acknowledge(), acting_user=self.user, **leads
            ).warnings
        if allies:
            warnings += actions.do_add_council_members(council, allies, acting_user=self.user).warnings
        return actions.CouncilResult(result.council, warnings)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.errors:
            existing = Council.objects.get(pk=self.instance.pk) if self.instance.pk else None
            check_with_action(self, lambda: self.save_with_actions(existing), aliases=_ALIASES)
        return cleaned

    def _post_clean(self) -> None:
        # Leads are optional in the model's eyes only here; the actions decide.
        pass


class CouncilMemberInline(ReadOnlyInline):
    model = CouncilMember
    fields = ["key_figure", "joined_on", "left_on", "left_reason"]
    readonly_fields = fields


@admin.register(Council, site=tenant_admin_site)
class CouncilAdmin(MembershipModelAdmin):
    form = CouncilForm
    list_display = ["name", "covers_whole_municipality", "started_on", "municipal_lead", "police_lead"]
    filter_horizontal = ["neighbourhoods"]
    inlines = [CouncilMemberInline]

    def get_readonly_fields(self, request, obj=None):
        # The start date is set when the council is created; no action changes it afterwards.
        return ["started_on"] if obj is not None else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.user = request.user
        return form

    def get_object(self, request, object_id, from_field=None):
        """The council, with a read logged for every person its change page shows.

        The page shows both sides' leads and deputies (their names in the pickers), every seat,
        past ones included (the inline), and the allies who could still be seated (the picker):
        each is one read row, as in the API.
        """
        council = super().get_object(request, object_id, from_field)
        if council is not None:
            leads = [
                membership.user
                for membership in (
                    council.municipal_lead,
                    council.municipal_deputy,
                    council.police_lead,
                    council.police_deputy,
                )
                if membership is not None
            ]
            seats = [seat.key_figure for seat in council.members.select_related("key_figure").order_by("pk")]
            seated = {seat.key_figure_id for seat in council.members.filter(left_on__isnull=True)}
            choices = list(KeyFigure.objects.filter(is_ally=True).exclude(pk__in=seated).order_by("pk"))
            shown = leads + seats + [figure for figure in choices if figure not in seats]
            log_person_reads(actor=request.user, objs=shown, purpose=f"council {council.pk} (admin)")
        return council

    def save_model(self, request: HttpRequest, obj: Council, form: CouncilForm, change: bool) -> None:
        existing = Council.objects.get(pk=obj.pk) if change else None
        result = form.save_with_actions(existing)
        obj.pk = result.council.pk
        obj.refresh_from_db()
        for warning in result.warnings:
            messages.warning(request, warning["detail"])

    def save_related(self, request, form, formsets, change) -> None:
        """The actions set the scope and the seats; the inline is read-only."""
        nothing_saved(formsets)


# --- meetings ---


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["council", "starts_at", "ends_at", "place", "meal", "notes"]

    user: Any = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Blank is let through to the action, which refuses it with its stable code (meal_required).
        self.fields["meal"].required = False

    def save_with_actions(self, meeting: Meeting | None) -> Meeting:
        data = self.cleaned_data
        if meeting is None:
            return actions.do_plan_meeting(
                data["council"],
                starts_at=data["starts_at"],
                ends_at=data.get("ends_at"),
                place=data["place"],
                meal=data.get("meal") or "",
                notes=data.get("notes") or "",
                acting_user=self.user,
            )
        changes = {
            name: data.get(name)
            for name in ("starts_at", "ends_at", "place", "meal", "notes")
            if data.get(name) != getattr(meeting, name)
        }
        return actions.do_update_meeting(meeting, changes, acting_user=self.user)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.errors:
            existing = Meeting.objects.get(pk=self.instance.pk) if self.instance.pk else None
            check_with_action(self, lambda: self.save_with_actions(existing), aliases=_ALIASES)
        return cleaned

    def _post_clean(self) -> None:
        pass


class MeetingStatusChangeInline(ReadOnlyInline):
    model = MeetingStatusChange
    fields = ["from_status", "to_status", "changed_by", "changed_at"]
    readonly_fields = fields


class AttendanceInline(ReadOnlyInline):
    model = Attendance
    fields = ["member", "membership", "present"]
    readonly_fields = fields


@admin.register(Meeting, site=tenant_admin_site)
class MeetingAdmin(MembershipModelAdmin):
    form = MeetingForm
    list_display = ["council", "starts_at", "place", "meal", "status"]
    list_filter = ["status", "council"]
    inlines = [AttendanceInline, MeetingStatusChangeInline]
    actions = ["hold", "cancel"]

    def get_object(self, request, object_id, from_field=None):
        """The meeting, with a read logged for every person its attendance inline names."""
        meeting = super().get_object(request, object_id, from_field)
        if meeting is not None:
            rows = meeting.attendance.select_related("member__key_figure", "membership__user").order_by("pk")
            shown = [row.member.key_figure if row.member_id else row.membership.user for row in rows]
            log_person_reads(actor=request.user, objs=shown, purpose=f"meeting {meeting.pk} (admin)")
        return meeting

    def get_inlines(self, request, obj):
        # A meeting being planned has no history yet (its first row is the planning itself).
        return self.inlines if obj is not None else [AttendanceInline]

    def get_readonly_fields(self, request, obj=None):
        # A meeting belongs to its council; plan a new one in the other council instead.
        return ["council"] if obj is not None else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.user = request.user
        return form

    def save_model(self, request, obj, form, change) -> None:
        existing = Meeting.objects.get(pk=obj.pk) if change else None
        saved = form.save_with_actions(existing)
        obj.pk = saved.pk
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change) -> None:
        """Attendance is recorded through the API (per member and lead)."""
        nothing_saved(formsets)

    def _each(self, request, queryset, run: Callable[[Meeting], Any], done: str) -> None:
        for meeting in queryset:
            try:
                run(meeting)
            except DomainError as error:
                messages.error(request, f"{meeting}: {error.message()}")
            else:
                messages.success(request, f"{meeting}: {done}")

    @admin.action(description="Markeer als gehouden")
    def hold(self, request, queryset) -> None:
        self._each(
            request, queryset, lambda m: actions.do_hold_meeting(m, acting_user=request.user), "gehouden"
        )

    @admin.action(description="Afgelasten")
    def cancel(self, request, queryset) -> None:
        self._each(
            request, queryset, lambda m: actions.do_cancel_meeting(m, acting_user=request.user), "afgelast"
        )


# --- agenda ---


class AgendaItemStatusChangeInline(ReadOnlyInline):
    model = AgendaItemStatusChange
    fields = ["from_status", "to_status", "changed_by", "changed_at"]
    readonly_fields = fields


class OverrideApprovalInline(ReadOnlyInline):
    model = OverrideApproval
    fields = ["side", "rules", "approved_by", "approved_at"]
    readonly_fields = fields


@admin.register(AgendaItem, site=tenant_admin_site)
class AgendaItemAdmin(MembershipModelAdmin):
    """Read-only: members propose through the API; a lead may approve overrides from here."""

    list_display = ["title", "council", "kind", "is_international", "status", "proposed_at"]
    list_filter = ["status", "kind", "council"]
    fields = [
        "council",
        "meeting",
        "title",
        "description",
        "kind",
        "is_international",
        "status",
        "override_rules",
        "override_reason",
        "proposed_by",
        "proposed_at",
    ]
    readonly_fields = fields
    inlines = [OverrideApprovalInline, AgendaItemStatusChangeInline]
    actions = ["approve_override"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Afwijking goedkeuren (als trekker of plaatsvervanger)")
    def approve_override(self, request, queryset) -> None:
        for item in queryset:
            try:
                actions.do_approve_agenda_override(item, acting_user=request.user)
            except DomainError as error:
                messages.error(request, f"{item}: {error.message()}")
            else:
                messages.success(request, f"{item}: goedgekeurd")
