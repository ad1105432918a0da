from django.contrib import admin

from agora.audit.models import AuditEvent, PersonRecordRead


class ReadOnlyAdmin(admin.ModelAdmin):
    """The audit trail is append-only: nobody edits or deletes it through the admin."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "municipality", "actor", "action", "object_type", "object_id"]
    list_filter = ["action", "municipality"]


@admin.register(PersonRecordRead)
class PersonRecordReadAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "municipality", "actor", "record_type", "record_id", "purpose"]
    list_filter = ["municipality", "record_type"]
