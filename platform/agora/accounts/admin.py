from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from agora.accounts.models import Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [MembershipInline]
    fieldsets = BaseUserAdmin.fieldsets + (("Agora", {"fields": ("is_national_analyst", "mobile")}),)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "municipality", "role", "title", "is_active"]
    list_filter = ["role", "municipality"]
    search_fields = ["user__username", "user__email"]
