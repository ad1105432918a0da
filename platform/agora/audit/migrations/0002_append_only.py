"""The audit trail is append-only in the database too, not only in the admin.

A row-level trigger refuses UPDATE and DELETE on both audit tables, so neither a bug nor a
tenant-side query can rewrite who did or read what. (TRUNCATE is not a row operation: 0003
refuses it with a statement-level trigger.)
"""

from django.db import migrations

SQL = """
CREATE OR REPLACE FUNCTION agora_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only (% on %)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_auditevent_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION agora_audit_append_only();
CREATE TRIGGER audit_personrecordread_append_only
    BEFORE UPDATE OR DELETE ON audit_personrecordread
    FOR EACH ROW EXECUTE FUNCTION agora_audit_append_only();
"""

REVERSE_SQL = """
DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent;
DROP TRIGGER IF EXISTS audit_personrecordread_append_only ON audit_personrecordread;
DROP FUNCTION IF EXISTS agora_audit_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
