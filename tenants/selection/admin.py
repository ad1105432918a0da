"""Selection cases on the municipality's admin: read-only.

Every change of a case goes through ``tenants.selection.actions`` (the API), so the four-eyes
review, the home visit and the hard rules hold the same everywhere; the admin only shows the
record, its approvals, its home visit and its history.
"""

from __future__ import annotations

from django.contrib import admin

from agora.audit.actions import log_person_read, log_person_reads
from frontend.tenant_admin import MembershipModelAdmin, ReadOnlyInline, tenant_admin_site
from tenants.selection.access import READ_PURPOSE
from tenants.selection.models import Approval, HomeVisit, SelectionCase, Transition


class ApprovalInline(ReadOnlyInline):
    model = Approval
    fields = ["side", "user", "membership", "note", "approved_at"]
    readonly_fields = fields


class HomeVisitInline(ReadOnlyInline):
    model = HomeVisit
    fields = [
        "visited_on",
        "visitors",
        "inclusive_answer",
        "inclusive_notes",
        "open_to_society_answer",
        "open_to_society_notes",
        "wants_to_connect_answer",
        "wants_to_connect_notes",
        "helps_with_conflicts_answer",
        "helps_with_conflicts_notes",
        "recorded_by",
        "recorded_at",
    ]
    readonly_fields = fields


class TransitionInline(ReadOnlyInline):
    model = Transition
    fields = ["created_at", "from_state", "to_state", "user", "role", "reason"]
    readonly_fields = fields


class ReadOnlyMembershipAdmin(MembershipModelAdmin):
    """Staff of this municipality may look; nobody changes the record here."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SelectionCase, site=tenant_admin_site)
class SelectionCaseAdmin(ReadOnlyMembershipAdmin):
    list_display = ["id", "key_figure", "state", "opened_at", "updated_at"]
    list_filter = ["state"]
    list_select_related = ["key_figure"]
    search_fields = ["key_figure__first_name", "key_figure__last_name"]
    fields = ["key_figure", "state", "opened_by", "opened_at", "updated_at"]
    readonly_fields = fields
    inlines = [ApprovalInline, HomeVisitInline, TransitionInline]

    def get_object(self, request, object_id, from_field=None):
        """Opening a case shows a person's record: log the read, as the API does."""
        case = super().get_object(request, object_id, from_field)
        if case is not None:
            log_person_read(actor=request.user, obj=case.key_figure, purpose=READ_PURPOSE)
        return case

    def get_changelist_instance(self, request):
        """The list shows a name per case: log each person's read, as the API's list does."""
        changelist = super().get_changelist_instance(request)
        _log_listed_key_figures(request, [case.key_figure for case in changelist.result_list])
        return changelist


def _log_listed_key_figures(request, key_figures) -> None:
    unique = list({figure.pk: figure for figure in key_figures}.values())
    log_person_reads(actor=request.user, objs=unique, purpose=f"{READ_PURPOSE} (admin list)")


@admin.register(Transition, site=tenant_admin_site)
class TransitionAdmin(ReadOnlyMembershipAdmin):
    list_display = ["created_at", "case", "from_state", "to_state", "user", "role"]
    list_filter = ["to_state"]
    list_select_related = ["case__key_figure", "user"]
    fields = ["case", "from_state", "to_state", "user", "membership", "role", "reason", "created_at"]
    readonly_fields = fields

    def get_object(self, request, object_id, from_field=None):
        """A history row names its case's key figure: log the read."""
        transition = super().get_object(request, object_id, from_field)
        if transition is not None:
            log_person_read(actor=request.user, obj=transition.case.key_figure, purpose=READ_PURPOSE)
        return transition

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        _log_listed_key_figures(request, [row.case.key_figure for row in changelist.result_list])
        return changelist
