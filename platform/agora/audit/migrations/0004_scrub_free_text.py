"""Scrub the free text that earlier versions copied into AuditEvent.detail (issue 13.3).

Closing or reopening a signal stored its note, a council its name, a member leaving or a
meeting cancelled its reason, an override its reason, a deleted community, district or
neighbourhood its name, an import its file name, a national grant its purpose, provisioning the
municipality's name. The public log keeps ids, codes and field names only: each such key is
replaced by the field name it held (``"fields": [...]``), the text itself is gone.

The audit tables refuse UPDATE (0002); this migration runs as the owner role, which may
switch the row trigger off for the length of its own transaction, and nobody else can.
"""

from django.db import migrations

# action -> {key in detail: the field name kept in its place}
FREE_TEXT = {
    "signal.closed": {"note": "note"},
    "signal.reopened": {"note": "note"},
    "councils.council_created": {"name": "name"},
    "councils.council_updated": {"name": "name"},
    "councils.member_left": {"reason": "left_reason"},
    "councils.meeting_cancelled": {"reason": "cancel_reason"},
    "councils.agenda_override_granted": {"reason": "override_reason"},
    "networkmap.city_district.deleted": {"name": None},
    "networkmap.community.deleted": {"name": None},
    "networkmap.neighbourhood.deleted": {"name": None},
    "nominations.imported": {"file_name": None},
    "nominations.import_previewed": {"file_name": None},
    "municipality.provisioned": {"name": None},
    "national.grant.created": {"purpose": None},
    "national.grant.revoked": {"purpose": None},
}


def scrub(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    with schema_editor.connection.cursor() as cursor:
        # ALTER TABLE refuses while deferred foreign-key checks on the table are pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only")
        for action, keys in FREE_TEXT.items():
            for event in AuditEvent.objects.filter(action=action).only("id", "detail").iterator():
                detail = dict(event.detail or {})
                fields = list(detail.get("fields") or [])
                for key, field in keys.items():
                    if key in detail:
                        value = detail.pop(key)
                        if field and value and field not in fields:
                            fields.append(field)
                if detail != event.detail or fields:
                    if any(field for field in keys.values()):
                        detail["fields"] = fields
                    AuditEvent.objects.filter(pk=event.pk).update(detail=detail)
        for event in AuditEvent.objects.filter(action="national.grant.changed").only("id", "detail").iterator():
            detail = dict(event.detail or {})
            before, after = dict(detail.get("before") or {}), dict(detail.get("after") or {})
            changed = before.pop("purpose", None) != after.pop("purpose", None)
            detail.update(before=before, after=after, fields=["purpose"] if changed else [])
            AuditEvent.objects.filter(pk=event.pk).update(detail=detail)
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_auditevent_append_only")


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_refuse_truncate")]

    operations = [migrations.RunPython(scrub, migrations.RunPython.noop)]
