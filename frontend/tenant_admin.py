"""The Django admin on a municipality's host, for the operators' corrections.

Django's model permissions live in the public schema and know nothing of municipalities, so
this site decides by membership instead: officials and police officers of *this* municipality
may use it, nobody else (a superuser included, unless they hold a membership here). Model
admins registered here write through the actions only (ADR 0004): a form checks its input by
running the action in a savepoint that is rolled back (:func:`check_with_action`), and
``save_model`` runs the same action for real.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from django import forms
from django.contrib import admin
from django.db import transaction

from agora.accounts.access import request_actor
from agora.accounts.actors import active_members
from agora.errors import DomainError


def is_staff_member(request) -> bool:
    """An official or police officer of this municipality (the admin's only users)."""
    return request_actor(request).is_staff


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


class _DryRun(Exception):
    """Raised inside the savepoint of a dry run so that everything the action wrote is rolled back."""


def add_domain_error(
    form: forms.BaseForm, error: DomainError, aliases: Mapping[str, str] | None = None
) -> None:
    """Show ``error`` on the form fields it names (through ``aliases``), else on the form as a whole."""
    aliases = aliases or {}
    names = [aliases.get(name, name) for name in error.fields]
    targets = [name for name in names if name in form.fields] or [None]
    for name in targets:
        form.add_error(name, error.message())


def check_with_action(
    form: forms.BaseForm, run: Callable[[], Any], *, aliases: Mapping[str, str] | None = None
) -> bool:
    """Run ``run`` (one or more action calls) and roll all of it back; a domain error becomes a form error.

    The admin validates a form before it saves, and re-renders an invalid one inside the same
    committed request: so ``clean`` may only ever try the action, never keep what it wrote.
    Returns True when the action would succeed.
    """
    try:
        with transaction.atomic():
            run()
            raise _DryRun
    except _DryRun:
        return True
    except DomainError as error:
        add_domain_error(form, error, aliases)
        return False


def member_choices(roles: Collection[str]):
    """Active memberships of this municipality with one of ``roles``: the admin's person picker."""
    return active_members(roles)
