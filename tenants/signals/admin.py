"""Signals and notices in the municipality's admin, for corrections, through the actions only.

As ADR 0004 asks, through the one admin bridge (``frontend.tenant_admin``): ``clean()`` tries
the form's action(s) with ``check_with_action``, in a savepoint that is always rolled back, so a
broken rule (a ``DomainError``) becomes a form error on its field, and a form that is invalid for
any other reason (an inline, a later check) has written nothing either. ``save_model`` then runs
the same action(s) for real, audit rows and events included. Nothing here saves a model directly.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest

from agora.accounts.roles import STAFF_ROLES
from agora.audit.actions import log_person_reads
from agora.errors import DomainError
from frontend.tenant_admin import (
    MembershipModelAdmin,
    ReadOnlyInline,
    check_with_action,
    member_choices,
    nothing_saved,
    tenant_admin_site,
)
from tenants.networkmap.models import KeyFigure
from tenants.signals import actions
from tenants.signals.deadlines import overdue_cutoff
from tenants.signals.models import Notice, NoticeRecipient, Signal, SignalAnswer

ALIASES = {"ally_id": "ally", "neighbourhood_id": "neighbourhood", "owner_membership_id": "owner"}


class ActingForm(forms.ModelForm):
    """A model form that knows who acts; ``run`` holds the action(s) its save performs.

    ``clean`` tries ``run`` and rolls it back (domain errors become form errors); the model
    admin's ``save_model`` calls ``run`` again for real and keeps what it returns in ``result``.
    """

    acting_user: Any = None
    result: Any = None

    def run(self) -> Any:  # pragma: no cover - every form below defines it
        raise NotImplementedError

    def needs_action(self) -> bool:
        return True

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.errors and self.needs_action():
            check_with_action(self, self.run, aliases=ALIASES)
        return cleaned


class SignalAdminForm(ActingForm):
    answer = forms.CharField(
        label="Nieuw antwoord aan de bondgenoot", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    class Meta:
        model = Signal
        fields = ["ally", "category", "neighbourhood", "description", "owner"]

    def run(self) -> Signal:
        """Raise the signal (add), or assign the owner and answer (change), through the actions."""
        cleaned, user = self.cleaned_data, self.acting_user
        if self.instance.pk is None:
            return actions.do_raise_signal(
                category=cleaned.get("category"),
                neighbourhood_id=getattr(cleaned.get("neighbourhood"), "pk", None),
                description=cleaned.get("description", ""),
                ally_id=getattr(cleaned.get("ally"), "pk", None),
                acting_user=user,
            )
        signal = Signal.objects.get(pk=self.instance.pk)
        owner = cleaned.get("owner")
        if "owner" in self.changed_data and owner is not None:
            actions.do_assign_signal_owner(signal, owner_membership_id=owner.pk, acting_user=user)
        if cleaned.get("answer"):
            actions.do_answer_signal(signal, body=cleaned["answer"], acting_user=user)
        return signal


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
            kwargs["queryset"] = member_choices(STAFF_ROLES)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Signal, form, change: bool) -> None:
        """Run the form's action(s) for real; reload so the admin shows and links the result."""
        form.result = form.run()
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

    def needs_action(self) -> bool:
        return self.instance.pk is None  # published once; the change view is read-only

    def run(self) -> Notice:
        cleaned = self.cleaned_data
        return actions.do_publish_notice(
            title=cleaned.get("title", ""),
            description=cleaned.get("description", ""),
            planned_start=cleaned.get("planned_start"),
            visibility=cleaned.get("visibility"),
            council_id=getattr(cleaned.get("council"), "pk", None),
            recipient_ids=[figure.pk for figure in cleaned.get("recipients_to_inform") or []],
            acting_user=self.acting_user,
        )


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
        """Publish for real (the form only tried it); reload so the admin links the notice."""
        form.result = form.run()
        obj.pk = form.result.pk
        obj.refresh_from_db()

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        """Recipients were written by the publish action."""
        nothing_saved(formsets)
