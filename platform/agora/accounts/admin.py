"""Users and memberships in the platform operators' admin (public schema).

A membership's mobile number and its end go through the actions
(``agora.accounts.actions``): the number is normalised and audited without being logged, and
ending a staff membership hands over the person's council seats and open work in the same
transaction. The inline on the user page shows both read-only for that reason.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction

from agora.accounts.actions import do_end_membership, do_set_membership_mobile
from agora.accounts.models import Membership, User
from agora.accounts.roles import STAFF_ROLES
from agora.errors import DomainError
from tenants.networkmap.phones import normalise_phone


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    readonly_fields = ["mobile", "is_active"]
    show_change_link = True


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [MembershipInline]
    fieldsets = BaseUserAdmin.fieldsets + (("Agora", {"fields": ("is_national_analyst",)}),)


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["user", "municipality", "role", "title", "mobile", "is_active"]

    def clean_mobile(self) -> str:
        try:
            return normalise_phone(self.cleaned_data.get("mobile", ""))
        except DomainError as error:
            raise forms.ValidationError(error.message()) from error

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("mobile") and cleaned.get("role") not in STAFF_ROLES:
            # An ally's number lives on their key figure record, in the municipality's own map.
            self.add_error("mobile", "Alleen ambtenaren en politie hebben hier een nummer.")
        return cleaned


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    form = MembershipForm
    list_display = ["user", "municipality", "role", "title", "is_active"]
    list_filter = ["role", "municipality"]
    search_fields = ["user__username", "user__email"]

    @transaction.atomic
    def save_model(self, request, obj: Membership, form, change: bool) -> None:
        """Role and title are saved as such; the number and the end of the membership by their actions."""
        previous = Membership.objects.filter(pk=obj.pk).first() if change else None
        mobile, active = obj.mobile, obj.is_active
        obj.mobile = previous.mobile if previous else ""
        obj.is_active = previous.is_active if previous else active
        super().save_model(request, obj, form, change)
        if mobile != obj.mobile:
            do_set_membership_mobile(obj.pk, mobile, acting_user=request.user)
        if previous is not None and previous.is_active and not active:
            do_end_membership(obj.pk, acting_user=request.user, reason="ended in the admin")
            messages.info(request, "Membership ended; council seats and open work were handed over.")
        elif previous is not None and not previous.is_active and active:
            Membership.objects.filter(pk=obj.pk).update(is_active=True)
        obj.refresh_from_db()
