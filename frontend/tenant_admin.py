"""The Django admin on a municipality's host, for the operators' corrections.

Django's model permissions live in the public schema and know nothing of municipalities, so
this site decides by membership instead: officials and police officers of *this* municipality
may use it, nobody else (a superuser included, unless they hold a membership here). Model
admins registered here must route writes through the services (see ``ServiceModelAdmin``).
"""

from __future__ import annotations

from django.contrib import admin

from agora.accounts.access import is_staff_member


class TenantAdminSite(admin.AdminSite):
    site_header = "Agora – gemeentebeheer"
    site_title = "Agora"
    index_title = "Correcties"

    def has_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_authenticated and is_staff_member(request)


tenant_admin_site = TenantAdminSite(name="tenant_admin")


class MembershipModelAdmin(admin.ModelAdmin):
    """Permissions come from the membership in this municipality, not from Django's tables."""

    def has_module_permission(self, request) -> bool:
        return is_staff_member(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return is_staff_member(request)

    def has_add_permission(self, request) -> bool:
        return is_staff_member(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return is_staff_member(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    """Related rows (history, approvals, receipts) shown on a change page, never edited there.

    Visible by membership like the model admins; changes go through the actions only.
    """

    extra = 0
    can_delete = False
    show_change_link = False

    def has_view_permission(self, request, obj=None) -> bool:
        return is_staff_member(request)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def nothing_saved(formsets) -> None:
    """Read-only inlines save nothing; the admin's change message still asks them what they saved."""
    for formset in formsets:
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
