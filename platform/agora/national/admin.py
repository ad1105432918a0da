"""Grants in the operators' admin (public host). Saving goes through the actions, which audit.

Only superusers (platform operators) see, add or change grants; nobody deletes one (revoke it:
the row stays for the audit trail).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from agora.national.actions import (
    do_change_national_grant,
    do_grant_national_access,
    do_revoke_national_grant,
)
from agora.national.models import NationalGrant
from frontend.tenant_admin import check_with_action

FIELDS = ("analyst", "district", "unit", "level", "purpose", "valid_from", "valid_until")


class NationalGrantForm(forms.ModelForm):
    class Meta:
        model = NationalGrant
        fields = FIELDS

    def __init__(self, *args, acting_user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.acting_user = acting_user

    def run_action(self):
        values = {name: self.cleaned_data.get(name) for name in FIELDS}
        if self.instance.pk:
            return do_change_national_grant(self.instance.pk, acting_user=self.acting_user, **values)
        analyst = values.pop("analyst")
        return do_grant_national_access(analyst, acting_user=self.acting_user, **values)

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            check_with_action(self, self.run_action)
        return cleaned


@admin.register(NationalGrant)
class NationalGrantAdmin(admin.ModelAdmin):
    form = NationalGrantForm
    list_display = [
        "analyst",
        "district",
        "unit",
        "level",
        "valid_from",
        "valid_until",
        "revoked_at",
        "granted_by",
    ]
    list_filter = ["level", "district__unit", "district"]
    search_fields = ["analyst__username", "analyst__last_name", "purpose"]
    readonly_fields = ["granted_by", "granted_at", "revoked_at", "revoked_by"]
    actions = ["revoke"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)

        class WithActor(form_class):
            def __init__(self, *args, **inner):
                super().__init__(*args, acting_user=request.user, **inner)

        return WithActor

    def _operator(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request) -> bool:
        return self._operator(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._operator(request)

    def has_add_permission(self, request) -> bool:
        return self._operator(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._operator(request) and (obj is None or obj.revoked_at is None)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        form.instance = form.run_action()

    def save_related(self, request, form, formsets, change) -> None:
        """Nothing related to save: the action wrote the grant and its audit row."""

    @admin.action(description=_("Revoke the selected grants now"))
    def revoke(self, request, queryset) -> None:
        count = 0
        for grant in queryset.filter(revoked_at__isnull=True):
            do_revoke_national_grant(grant.pk, acting_user=request.user)
            count += 1
        self.message_user(request, _("%(count)d grants revoked.") % {"count": count}, messages.SUCCESS)
