from django.contrib import admin

from agora.municipalities.models import Domain, Municipality


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    """Operators see municipalities; creating one goes through the provisioning command."""

    list_display = ["name", "cbs_code", "slug", "district", "schema_name"]
    list_filter = ["district__unit", "district"]
    search_fields = ["name", "cbs_code", "slug"]
    readonly_fields = ["schema_name", "slug", "created_at"]
    inlines = [DomainInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
