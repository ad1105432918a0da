"""TRUNCATE is refused on the audit tables too, by a statement-level trigger (issue 8.2).

0002 refuses UPDATE and DELETE row by row; TRUNCATE is not a row operation and passed. A
BEFORE TRUNCATE trigger raises the same error. Triggers in their default (origin) mode do not
fire under ``session_replication_role = replica``, which only a superuser may set: the test
suite's flush between transactional tests uses that (tests/conftest.py), an application role
cannot.
"""

from django.db import migrations

SQL = """
CREATE TRIGGER audit_auditevent_no_truncate
    BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION agora_audit_append_only();
CREATE TRIGGER audit_personrecordread_no_truncate
    BEFORE TRUNCATE ON audit_personrecordread
    FOR EACH STATEMENT EXECUTE FUNCTION agora_audit_append_only();
"""

REVERSE_SQL = """
DROP TRIGGER IF EXISTS audit_auditevent_no_truncate ON audit_auditevent;
DROP TRIGGER IF EXISTS audit_personrecordread_no_truncate ON audit_personrecordread;
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
