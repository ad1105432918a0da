"""Import runs on the municipality's admin: read-only (imports go through the service or the API)."""

from __future__ import annotations

from django.contrib import admin

from frontend.tenant_admin import MembershipModelAdmin, tenant_admin_site
from tenants.nominations.models import ImportRun


@admin.register(ImportRun, site=tenant_admin_site)
class ImportRunAdmin(MembershipModelAdmin):
    list_display = [
        "started_at",
        "source",
        "file_name",
        "dry_run",
        "total_rows",
        "created_count",
        "updated_count",
        "unchanged_count",
        "error_count",
    ]
    list_filter = ["source", "dry_run", "file_format"]
    search_fields = ["file_name", "checksum"]
    readonly_fields = [field.name for field in ImportRun._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
