"""The network map in the municipality's admin (for corrections), with the API's rules.

Every save goes through ``tenants.networkmap.actions`` (the same checks, the same audit rows);
the forms try the actions first in a rolled-back savepoint (``check_with_action``) so that a
broken rule shows as a form error instead of a crash. ``is_ally`` is read-only here: only the
selection procedure sets it.
Opening a key figure, and listing them, is logged as a person-record read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from agora.accounts.models import User
from agora.accounts.roles import Role
from agora.audit.actions import log_person_read, log_person_reads
from frontend.tenant_admin import (
    MembershipModelAdmin,
    ReadOnlyInline,
    check_with_action,
    member_choices,
    tenant_admin_site,
)
from tenants.networkmap import actions
from tenants.networkmap.models import CityDistrict, Community, ContactMoment, KeyFigure, Neighbourhood


class ActionAdminForm(forms.ModelForm):
    """Tries the save's actions in ``clean`` (``frontend.tenant_admin.check_with_action``).

    Every rule an action enforces (field checks, case-insensitive duplicate names, the ally
    hard rules, the boundary rule, who acts) thus shows as a form error on its field, instead of
    the action raising in ``save_model`` after validation (a 500). ``save_model`` then runs the
    same actions for real. The admin sets ``model_admin`` and ``acting_user`` on the form class
    it builds per request (``get_form``).
    """

    action_fields: ClassVar[frozenset[str]] = frozenset()
    model_admin: ClassVar[Any] = None
    acting_user: ClassVar[Any] = None

    def action_data(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if name in self.action_fields}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        model_admin = type(self).model_admin
        if model_admin is None or self.errors:
            return cleaned
        change = self.instance.pk is not None
        check_with_action(
            self,
            lambda: model_admin.run_actions(
                self, self.instance, change=change, acting_user=type(self).acting_user
            ),
        )
        return cleaned


class ActionModelAdmin(MembershipModelAdmin):
    """Saves through ``create_action`` / ``update_action``; the form never writes by itself."""

    create_action: ClassVar[Callable[..., Any]]
    update_action: ClassVar[Callable[..., Any]]

    def get_form(self, request: HttpRequest, obj=None, change: bool = False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)  # a new class per request
        form.model_admin = self
        form.acting_user = request.user
        return form

    def run_actions(self, form, obj, *, change: bool, acting_user) -> Any:
        """The writes of one save (run for trial by the form, then for real by ``save_model``)."""
        data = form.action_data()
        if change:
            return type(self).update_action(obj, data, acting_user=acting_user)
        return type(self).create_action(data, acting_user=acting_user)

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        saved = self.run_actions(form, obj, change=change, acting_user=request.user)
        obj.pk = saved.pk
        obj.refresh_from_db()

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        """Many-to-many fields were set by the action; only inline formsets would remain."""
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


class CityDistrictForm(ActionAdminForm):
    action_fields = actions.CITY_DISTRICT_FIELDS

    class Meta:
        model = CityDistrict
        fields = ["name"]


@admin.register(CityDistrict, site=tenant_admin_site)
class CityDistrictAdmin(ActionModelAdmin):
    form = CityDistrictForm
    create_action = staticmethod(actions.do_create_city_district)
    update_action = staticmethod(actions.do_update_city_district)
    search_fields = ["name"]


class CommunityForm(ActionAdminForm):
    action_fields = actions.COMMUNITY_FIELDS

    class Meta:
        model = Community
        fields = ["kind", "name"]


@admin.register(Community, site=tenant_admin_site)
class CommunityAdmin(ActionModelAdmin):
    form = CommunityForm
    create_action = staticmethod(actions.do_create_community)
    update_action = staticmethod(actions.do_update_community)
    list_display = ["name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name"]


class NeighbourhoodForm(ActionAdminForm):
    action_fields = actions.NEIGHBOURHOOD_FIELDS

    class Meta:
        model = Neighbourhood
        fields = ["name", "cbs_code", "city_district", "police_officers", "municipal_contact"]


@admin.register(Neighbourhood, site=tenant_admin_site)
class NeighbourhoodAdmin(ActionModelAdmin):
    form = NeighbourhoodForm
    create_action = staticmethod(actions.do_create_neighbourhood)
    update_action = staticmethod(actions.do_update_neighbourhood)
    list_display = ["name", "cbs_code", "city_district"]
    list_filter = ["city_district"]
    search_fields = ["name", "cbs_code"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "police_officers":
            kwargs["queryset"] = member_choices({Role.POLICE})
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "municipal_contact":
            kwargs["queryset"] = member_choices({Role.OFFICIAL})
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def _ally_logins_here():
    """The logins of this municipality's active allies (the logins a record can take)."""
    allies = member_choices({Role.ALLY}).values("user_id")
    return User.objects.filter(pk__in=allies).order_by("last_name", "first_name", "pk")


class KeyFigureForm(ActionAdminForm):
    action_fields = actions.KEY_FIGURE_FIELDS
    user = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        label=_("ally login"),
        help_text=_("The ally's own login (an ally of this municipality); linked through the action."),
    )

    class Meta:
        model = KeyFigure
        fields = sorted(actions.KEY_FIGURE_FIELDS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = _ally_logins_here()
        self.fields["user"].initial = self.instance.user_id


class ContactMomentInline(ReadOnlyInline):
    """The contact history, read-only: contacts are recorded through the API's action."""

    model = ContactMoment
    fields = ["date", "kind", "membership", "note"]
    readonly_fields = fields
    ordering = ["-date", "-id"]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("membership__user")


@admin.register(KeyFigure, site=tenant_admin_site)
class KeyFigureAdmin(ActionModelAdmin):
    form = KeyFigureForm
    inlines = [ContactMomentInline]
    create_action = staticmethod(actions.do_create_key_figure)
    update_action = staticmethod(actions.do_update_key_figure)
    readonly_fields = ["is_ally", "last_contact_on", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["first_name", "infix", "last_name", "mobile", "email"]}),
        ("Woonplaats", {"fields": ["neighbourhood", "residence_cbs_code"]}),
        ("Netwerk", {"fields": ["communities", "represents", "influence_notes"]}),
        ("Login", {"fields": ["user"]}),
        (
            "Lijsten en status",
            {
                "fields": [
                    "nominated_by_municipality",
                    "nominated_by_police",
                    "is_professional_representative",
                    "is_ally",
                    "last_contact_on",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]
    list_display = ["__str__", "neighbourhood", "is_ally", "nominated_by_municipality", "nominated_by_police"]
    list_filter = ["is_ally", "nominated_by_municipality", "nominated_by_police", "neighbourhood"]
    search_fields = ["first_name", "last_name"]
    filter_horizontal = ["communities"]

    def run_actions(self, form, obj, *, change: bool, acting_user) -> KeyFigure:
        """The record's fields, then the login link (its own action, its own audit row)."""
        saved = super().run_actions(form, obj, change=change, acting_user=acting_user)
        user = form.cleaned_data.get("user")
        user_id = user.pk if user is not None else None
        if user_id != saved.user_id:
            saved = actions.do_link_key_figure_user(saved.pk, user_id, acting_user=acting_user)
        return saved

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None):
        key_figure = super().get_object(request, object_id, from_field)
        if key_figure is not None:
            log_person_read(actor=request.user, obj=key_figure, purpose="admin: key figure")
        return key_figure

    def get_changelist_instance(self, request: HttpRequest):
        changelist = super().get_changelist_instance(request)
        log_person_reads(
            actor=request.user, objs=list(changelist.result_list), purpose="admin: key figure list"
        )
        return changelist
