"""The audit trail lives in the public schema, outside any municipality's reach."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """A change made by someone (or by the platform), written in the same transaction."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    municipality = models.ForeignKey(
        "municipalities.Municipality", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=100, db_index=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"


class PersonRecordRead(models.Model):
    """Who read which person's record, when and why (GDPR art. 9 data, Police Data Act)."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    municipality = models.ForeignKey(
        "municipalities.Municipality", on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    record_type = models.CharField(max_length=100)
    record_id = models.CharField(max_length=64)
    purpose = models.CharField(max_length=200)
    # The access log is a hash chain per municipality (issue 13.4, agora.audit.chain): the database
    # fills both on insert (trigger, audit migration 0005), under a per-municipality advisory lock.
    prev_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    hash = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["municipality", "record_type", "record_id"]),
            models.Index(fields=["municipality", "id"], name="audit_read_chain_idx"),
        ]
        verbose_name = _("person record read")
        verbose_name_plural = _("person record reads")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.record_type}#{self.record_id}"
