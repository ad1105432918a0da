"""The access log becomes a hash chain per municipality (issue 13.4, agora.audit.chain).

A BEFORE INSERT trigger takes a transaction-scoped advisory lock on the municipality, reads the
hash of that municipality's last row and fills ``prev_hash`` and ``hash``: sha256 over
``id|created_at (UTC, microseconds)|municipality|actor|record type|record id|purpose|prev_hash``.
The lock is held until the writer commits, so the next writer sees the new head: two writers
never fork a chain, and ids in a chain grow in commit order (the trigger takes the row's id from
the sequence under the lock).
Rows written before this migration are chained in id order here, as the owner.
"""

from django.db import migrations, models

FUNCTION = r"""
CREATE OR REPLACE FUNCTION agora_access_log_digest(r audit_personrecordread, prev text) RETURNS text AS $$
    SELECT encode(sha256(convert_to(concat_ws('|',
        r.id::text,
        to_char(r.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'),
        r.municipality_id::text,
        r.actor_id::text,
        r.record_type,
        r.record_id,
        r.purpose,
        prev), 'UTF8')), 'hex');
$$ LANGUAGE sql IMMUTABLE;

CREATE OR REPLACE FUNCTION agora_access_log_chain() RETURNS trigger AS $$
DECLARE
    previous text;
BEGIN
    -- 'agora.access_log' namespaces the lock; the municipality picks the chain.
    PERFORM pg_advisory_xact_lock(hashtext('agora.access_log'), NEW.municipality_id::int);
    SELECT hash INTO previous FROM audit_personrecordread
        WHERE municipality_id = NEW.municipality_id ORDER BY id DESC LIMIT 1;
    -- The id is taken under the lock (the column default ran before it): ids grow in commit
    -- order within a chain, so verifying in id order walks the chain as it was written.
    NEW.id := nextval(pg_get_serial_sequence('audit_personrecordread', 'id'));
    NEW.prev_hash := coalesce(previous, '');
    NEW.hash := agora_access_log_digest(NEW, NEW.prev_hash);
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

BACKFILL = """
ALTER TABLE audit_personrecordread DISABLE TRIGGER audit_personrecordread_append_only;
DO $$
DECLARE
    r audit_personrecordread;
    previous text := '';
    current_municipality bigint := NULL;
BEGIN
    FOR r IN SELECT * FROM audit_personrecordread ORDER BY municipality_id, id LOOP
        IF current_municipality IS DISTINCT FROM r.municipality_id THEN
            previous := '';
            current_municipality := r.municipality_id;
        END IF;
        UPDATE audit_personrecordread SET prev_hash = previous,
            hash = agora_access_log_digest(r, previous) WHERE id = r.id
            RETURNING hash INTO previous;
    END LOOP;
END $$;
ALTER TABLE audit_personrecordread ENABLE TRIGGER audit_personrecordread_append_only;

CREATE TRIGGER audit_personrecordread_chain
    BEFORE INSERT ON audit_personrecordread
    FOR EACH ROW EXECUTE FUNCTION agora_access_log_chain();
"""

REVERSE = """
DROP TRIGGER IF EXISTS audit_personrecordread_chain ON audit_personrecordread;
DROP FUNCTION IF EXISTS agora_access_log_chain();
DROP FUNCTION IF EXISTS agora_access_log_digest(audit_personrecordread, text);
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_scrub_free_text")]

    operations = [
        migrations.AddField(
            model_name="personrecordread",
            name="prev_hash",
            field=models.CharField(blank=True, default="", editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="personrecordread",
            name="hash",
            field=models.CharField(blank=True, default="", editable=False, max_length=64),
        ),
        migrations.AddIndex(
            model_name="personrecordread",
            index=models.Index(fields=["municipality", "id"], name="audit_read_chain_idx"),
        ),
        migrations.RunSQL("SET CONSTRAINTS ALL IMMEDIATE;" + FUNCTION + BACKFILL, REVERSE),
    ]
