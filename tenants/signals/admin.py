"""Signals and notices in the municipality's admin, for corrections, through the actions only.

The admin form runs the action itself in ``clean()``: the admin's add/change view is one
transaction, so a broken rule (a ``DomainError``) becomes a form error on its field and nothing
is written, while a passing action has already written its rows, audit included, by the time
``save_model`` runs (which then only reloads the object). Nothing here saves a model directly.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpRequest

from agora.accounts.actors import current_municipality
from agora.accounts.models import Membership
from agora.accounts.roles import STAFF_ROLES
from agora.audit.actions import log_person_reads
from agora.errors import DomainError
from frontend.tenant_admin import MembershipModelAdmin, ReadOnlyInline, nothing_saved, tenant_admin_site
from tenants.networkmap.models import KeyFigure
from tenants.signals import actions
from tenants.signals.deadlines import overdue_cutoff
from tenants.signals.models import Notice, NoticeRecipient, Signal, SignalAnswer


def _staff_memberships():
    municipality = current_municipality()
    return (
        Membership.objects.filter(
            municipality_id=getattr(municipality, "pk", None), role__in=STAFF_ROLES, is_active=True
        )
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )


class ActingForm(forms.ModelForm):
    """A model form that knows who acts and turns domain errors into form errors."""

    acting_user: Any = None
    result: Any = None

    def attempt(self, work) -> Any:
        """Run ``work()`` (one or more actions) in a savepoint: all of it, or nothing and form errors.

        The admin view commits even when it re-renders an invalid form, so a second action
        failing after a first one succeeded must roll the first one back here.
        """
        try:
            with transaction.atomic():
                return work()
        except DomainError as error:
            aliases = {"ally_id": "ally", "neighbourhood_id": "neighbourhood", "owner_membership_id": "owner"}
            names = [aliases.get(name, name) for name in error.fields]
            targets = [name for name in names if name in self.fields] or [None]
            for name in targets:
                self.add_error(name, error.message())
            return None


class SignalAdminForm(ActingForm):
    answer = forms.CharField(
        label="Nieuw antwoord aan de bondgenoot", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    class Meta:
        model = Signal
        fields = ["ally", "category", "neighbourhood", "description", "owner"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        user = self.acting_user
        if self.instance.pk is None:
            self.result = self.attempt(
                lambda: actions.do_raise_signal(
                    category=cleaned.get("category"),
                    neighbourhood_id=getattr(cleaned.get("neighbourhood"), "pk", None),
                    description=cleaned.get("description", ""),
                    ally_id=getattr(cleaned.get("ally"), "pk", None),
                    acting_user=user,
                )
            )
            return cleaned
        signal = Signal.objects.get(pk=self.instance.pk)
        owner = cleaned.get("owner")

        def change() -> Signal:
            if "owner" in self.changed_data and owner is not None:
                actions.do_assign_signal_owner(signal, owner_membership_id=owner.pk, acting_user=user)
            if cleaned.get("answer"):
                actions.do_answer_signal(signal, body=cleaned["answer"], acting_user=user)
            return signal

        self.result = self.attempt(change)
        return cleaned


class SignalAnswerInline(ReadOnlyInline):
    model = SignalAnswer
    fields = ["created_at", "author", "body"]
    readonly_fields = fields  # answers are added through the "new answer" field (the action)


@admin.register(Signal, site=tenant_admin_site)
class SignalAdmin(MembershipModelAdmin):
    form = SignalAdminForm
    list_display = ["id", "category", "neighbourhood", "ally", "status", "owner", "raised_at", "overdue"]
    list_filter = ["status", "category", "neighbourhood"]
    inlines = [SignalAnswerInline]
    actions = ["close_signals"]

    def get_queryset(self, request: HttpRequest):
        return (
            super()
            .get_queryset(request)
            .select_related("ally", "neighbourhood", "owner__user")
            .with_overdue_flag(cutoff=overdue_cutoff())
        )

    def get_inlines(self, request: HttpRequest, obj=None):
        return [] if obj is None else super().get_inlines(request, obj)  # no answers before the signal

    def get_changelist_instance(self, request: HttpRequest):
        """The list shows each signal's ally by name: a read of those allies' records."""
        changelist = super().get_changelist_instance(request)
        allies = {signal.ally_id: signal.ally for signal in changelist.result_list}
        log_person_reads(actor=request.user, objs=list(allies.values()), purpose="admin: signal list")
        return changelist

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None):
        signal = super().get_object(request, object_id, from_field)
        if signal is not None:
            log_person_reads(actor=request.user, objs=[signal.ally], purpose=f"admin: signal {signal.pk}")
        return signal

    @admin.display(boolean=True, description="te laat", ordering="is_overdue")
    def overdue(self, obj: Signal) -> bool:
        return bool(getattr(obj, "is_overdue", False))

    def get_fields(self, request: HttpRequest, obj=None):
        if obj is None:
            return ["ally", "category", "neighbourhood", "description"]
        return [
            "ally",
            "category",
            "neighbourhood",
            "description",
            "status",
            "raised_by",
            "raised_at",
            "first_answered_at",
            "response_time",
            "closed_at",
            "owner",
            "answer",
        ]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        if obj is None:
            return []
        return [
            "ally",
            "category",
            "neighbourhood",
            "description",
            "status",
            "raised_by",
            "raised_at",
            "first_answered_at",
            "response_time",
            "closed_at",
        ]

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type("SignalAdminFormFor", (form,), {"acting_user": request.user})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "ally":
            kwargs["queryset"] = KeyFigure.objects.filter(is_ally=True)
        elif db_field.name == "owner":
            kwargs["queryset"] = _staff_memberships()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Signal, form, change: bool) -> None:
        """The form's action wrote everything; reload so the admin shows and links the result."""
        obj.pk = form.result.pk
        obj.refresh_from_db()

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        """Answers are read-only inlines; nothing else is related."""
        nothing_saved(formsets)

    @admin.action(description="Beantwoorde signalen afsluiten")
    def close_signals(self, request: HttpRequest, queryset) -> None:
        closed = 0
        for signal in queryset:
            try:
                actions.do_close_signal(signal, acting_user=request.user)
                closed += 1
            except DomainError as error:
                self.message_user(request, f"#{signal.pk}: {error.message()}", messages.WARNING)
        if closed:
            self.message_user(request, f"{closed} signalen afgesloten.", messages.SUCCESS)


class NoticeAdminForm(ActingForm):
    recipients_to_inform = forms.ModelMultipleChoiceField(
        label="Bondgenoten", queryset=KeyFigure.objects.none(), required=False
    )

    class Meta:
        model = Notice
        fields = ["title", "description", "planned_start", "visibility", "council"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "recipients_to_inform" in self.fields:
            self.fields["recipients_to_inform"].queryset = KeyFigure.objects.filter(is_ally=True)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors or self.instance.pk is not None:
            return cleaned
        council = cleaned.get("council")
        self.result = self.attempt(
            lambda: actions.do_publish_notice(
                title=cleaned.get("title", ""),
                description=cleaned.get("description", ""),
                planned_start=cleaned.get("planned_start"),
                visibility=cleaned.get("visibility"),
                council_id=getattr(council, "pk", None),
                recipient_ids=[figure.pk for figure in cleaned.get("recipients_to_inform") or []],
                acting_user=self.acting_user,
            )
        )
        return cleaned


class NoticeRecipientInline(ReadOnlyInline):
    """The read receipts: who was informed (directly or via the council) and when they read it."""

    model = NoticeRecipient
    fields = ["key_figure", "via_council", "read_at"]
    readonly_fields = fields


@admin.register(Notice, site=tenant_admin_site)
class NoticeAdmin(MembershipModelAdmin):
    """Notices are published once; a changed plan is a new notice, so the change view is read-only."""

    form = NoticeAdminForm
    list_display = ["title", "planned_start", "visibility", "council", "issuer_role", "published_at"]
    list_filter = ["visibility", "issuer_role"]
    inlines = [NoticeRecipientInline]

    def get_fields(self, request: HttpRequest, obj=None):
        base = ["title", "description", "planned_start", "visibility", "council"]
        return base + (
            ["recipients_to_inform"] if obj is None else ["issuer_role", "issued_by", "published_at"]
        )

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    def get_inlines(self, request: HttpRequest, obj=None):
        return [] if obj is None else super().get_inlines(request, obj)  # recipients come from the form

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None):
        """The change view lists the recipients (allies) by name: a read of their records."""
        notice = super().get_object(request, object_id, from_field)
        if notice is not None:
            figures = [row.key_figure for row in notice.recipients.select_related("key_figure")]
            log_person_reads(actor=request.user, objs=figures, purpose=f"admin: notice {notice.pk} receipts")
        return notice

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type("NoticeAdminFormFor", (form,), {"acting_user": request.user})

    def save_model(self, request: HttpRequest, obj: Notice, form, change: bool) -> None:
        obj.pk = form.result.pk
        obj.refresh_from_db()

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        """Recipients were written by the publish action."""
        nothing_saved(formsets)
