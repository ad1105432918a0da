"""What the tenants feed into the national read model (docs/adr/0009-national-aggregation.md).

Each entry names a tenant table, its mirror in the public schema and the columns copied. Only
ids, dates, states and the names of places, communities and councils travel: never a person's
name, number or e-mail (those stay in the municipality's schema and are read there, for a
``contacts`` grant only). A row trigger on every listed tenant table keeps the mirror in step
in the same transaction as the write (``public.national_feed()``, created by the migrations);
the table names here are literal because migrations use them.
"""

from __future__ import annotations

from dataclasses import dataclass

from psycopg import sql


@dataclass(frozen=True)
class Feed:
    source: str
    mirror: str
    columns: tuple[str, ...]


FEEDS: tuple[Feed, ...] = (
    Feed(
        "councils_councilrules",
        "national_mirrorrules",
        ("meeting_interval_weeks", "relationship_meetings", "stale_contact_months", "signal_overdue_days"),
    ),
    Feed("networkmap_neighbourhood", "national_mirrorneighbourhood", ("name", "cbs_code")),
    Feed("networkmap_community", "national_mirrorcommunity", ("name", "kind")),
    Feed(
        "networkmap_keyfigure", "national_mirrorkeyfigure", ("neighbourhood_id", "is_ally", "last_contact_on")
    ),
    Feed(
        "networkmap_keyfigure_communities",
        "national_mirrorkeyfigurecommunity",
        ("keyfigure_id", "community_id"),
    ),
    Feed(
        "councils_council",
        "national_mirrorcouncil",
        (
            "name",
            "started_on",
            "covers_whole_municipality",
            "municipal_lead_id",
            "municipal_deputy_id",
            "police_lead_id",
            "police_deputy_id",
        ),
    ),
    Feed(
        "councils_council_neighbourhoods",
        "national_mirrorcouncilneighbourhood",
        ("council_id", "neighbourhood_id"),
    ),
    Feed("councils_councilmember", "national_mirrorcouncilmember", ("council_id", "left_on")),
    Feed("councils_meeting", "national_mirrormeeting", ("council_id", "status", "starts_at")),
    Feed(
        "signals_signal",
        "national_mirrorsignal",
        ("neighbourhood_id", "status", "first_answered_at", "response_time", "awaiting_answer_since"),
    ),
    # The crisis room (issue 11 point 2): states and times of a crisis, each convocation's side and
    # answer. Not the title or the summary (free text that may name a person), not who was called.
    Feed(
        "crises_crisis",
        "national_mirrorcrisis",
        ("kind", "is_drill", "status", "declared_at", "deadline_at", "quorum_at", "closed_at"),
    ),
    Feed("crises_convocation", "national_mirrorconvocation", ("crisis_id", "side", "answer", "reachable")),
)

# The one trigger function (public schema). A schema that is no municipality's (the template,
# a bench seed) feeds nothing. An update is a delete and an insert of the mirror row.
FEED_FUNCTION = """
CREATE OR REPLACE FUNCTION public.national_feed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    municipality bigint;
    target text := TG_ARGV[0];
    columns text[] := TG_ARGV[1:];
    column_list text;
BEGIN
    SELECT id INTO municipality FROM public.municipalities_municipality WHERE schema_name = TG_TABLE_SCHEMA;
    IF municipality IS NULL THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        EXECUTE format('DELETE FROM public.%I WHERE municipality_id = $1 AND source_id = $2', target)
            USING municipality, OLD.id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT string_agg(format('%I', c), ', ') INTO column_list FROM unnest(columns) AS c;
        EXECUTE format(
            'INSERT INTO public.%I (municipality_id, source_id, %s) SELECT $1, $2, %s'
            ' FROM jsonb_populate_record(NULL::public.%I, $3)',
            target, column_list, column_list, target
        ) USING municipality, NEW.id, to_jsonb(NEW);
    END IF;
    RETURN NULL;
END
$$;
"""
DROP_FEED_FUNCTION = "DROP FUNCTION IF EXISTS public.national_feed() CASCADE;"


def trigger_sql(feed: Feed, schema: str | None = None) -> sql.Composed:
    """The trigger on ``feed.source`` in the current schema (a tenant migration runs it in each)."""
    arguments = sql.SQL(", ").join(sql.Literal(a) for a in (feed.mirror, *feed.columns))
    source = sql.Identifier(schema, feed.source) if schema else sql.Identifier(feed.source)
    return sql.SQL(
        "CREATE TRIGGER national_feed AFTER INSERT OR UPDATE OR DELETE ON {source}"
        " FOR EACH ROW EXECUTE FUNCTION public.national_feed({arguments})"
    ).format(source=source, arguments=arguments)


def backfill_sql(feed: Feed, schema: str | None = None) -> sql.Composed:
    """Copy a schema's existing rows into the mirror (the current schema unless named)."""
    columns = sql.SQL(", ").join(sql.Identifier(c) for c in feed.columns)
    source = sql.Identifier(schema, feed.source) if schema else sql.Identifier(feed.source)
    schema_value = sql.Literal(schema) if schema else sql.SQL("current_schema()")
    return sql.SQL(
        "INSERT INTO public.{mirror} (municipality_id, source_id, {columns})"
        " SELECT m.id, s.id, {qualified} FROM {source} s"
        " JOIN public.municipalities_municipality m ON m.schema_name = {schema}"
    ).format(
        mirror=sql.Identifier(feed.mirror),
        columns=columns,
        qualified=sql.SQL(", ").join(sql.SQL("s.{}").format(sql.Identifier(c)) for c in feed.columns),
        source=source,
        schema=schema_value,
    )
