"""The municipality's crisis settings in its admin; every save goes through the action."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin

from frontend.tenant_admin import MembershipModelAdmin, check_with_action, tenant_admin_site
from tenants.crises.actions.settings import SETTING_BOUNDS, do_update_crisis_settings
from tenants.crises.models import CrisisSettings
from tenants.crises.rules import current_settings


class CrisisSettingsForm(forms.ModelForm):
    class Meta:
        model = CrisisSettings
        fields = list(SETTING_BOUNDS)

    user: Any = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.errors:
            check_with_action(self, lambda: do_update_crisis_settings(dict(cleaned), acting_user=self.user))
        return cleaned

    def _post_clean(self) -> None:
        # The action checks the settings; the model's own validation would touch the row twice.
        pass


@admin.register(CrisisSettings, site=tenant_admin_site)
class CrisisSettingsAdmin(MembershipModelAdmin):
    form = CrisisSettingsForm
    list_display = [
        "__str__",
        "goal_minutes",
        "escalate_after_minutes",
        "quorum_allies",
        "drill_max_age_months",
    ]

    def get_queryset(self, request):
        current_settings()  # the singleton exists with its defaults
        return super().get_queryset(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.user = request.user
        return form

    def save_model(self, request, obj, form, change) -> None:
        saved = do_update_crisis_settings(form.cleaned_data, acting_user=request.user)
        obj.pk = saved.pk
        obj.refresh_from_db()
