"""The national feed's row triggers on this schema's tables, and the mirror filled from its rows."""

from django.db import migrations

# Frozen copy of agora.national.feed.FEEDS as of this migration: (tenant table, mirror, columns).
FEEDS = (
    ("councils_councilrules", "national_mirrorrules",
     ("meeting_interval_weeks", "relationship_meetings", "stale_contact_months", "signal_overdue_days")),
    ("networkmap_neighbourhood", "national_mirrorneighbourhood", ("name", "cbs_code")),
    ("networkmap_community", "national_mirrorcommunity", ("name", "kind")),
    ("networkmap_keyfigure", "national_mirrorkeyfigure", ("neighbourhood_id", "is_ally", "last_contact_on")),
    ("networkmap_keyfigure_communities", "national_mirrorkeyfigurecommunity", ("keyfigure_id", "community_id")),
    ("councils_council", "national_mirrorcouncil",
     ("name", "started_on", "covers_whole_municipality", "municipal_lead_id", "municipal_deputy_id",
      "police_lead_id", "police_deputy_id")),
    ("councils_council_neighbourhoods", "national_mirrorcouncilneighbourhood", ("council_id", "neighbourhood_id")),
    ("councils_councilmember", "national_mirrorcouncilmember", ("council_id", "left_on")),
    ("councils_meeting", "national_mirrormeeting", ("council_id", "status", "starts_at")),
    ("signals_signal", "national_mirrorsignal",
     ("neighbourhood_id", "status", "first_answered_at", "response_time", "awaiting_answer_since")),
)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def install(apps, schema_editor) -> None:
    with schema_editor.connection.cursor() as cursor:
        for source, mirror, columns in FEEDS:
            arguments = ", ".join("'" + a + "'" for a in (mirror, *columns))
            column_list = ", ".join(_quote(c) for c in columns)
            cursor.execute(f"DROP TRIGGER IF EXISTS national_feed ON {_quote(source)}")
            cursor.execute(
                f"CREATE TRIGGER national_feed AFTER INSERT OR UPDATE OR DELETE ON {_quote(source)}"
                f" FOR EACH ROW EXECUTE FUNCTION public.national_feed({arguments})"
            )
            # Rows already there (an existing municipality migrating): fill the mirror once.
            cursor.execute(
                f"INSERT INTO public.{_quote(mirror)} (municipality_id, source_id, {column_list})"
                f" SELECT m.id, s.id, {', '.join('s.' + _quote(c) for c in columns)} FROM {_quote(source)} s"
                " JOIN public.municipalities_municipality m ON m.schema_name = current_schema()"
            )


def remove(apps, schema_editor) -> None:
    with schema_editor.connection.cursor() as cursor:
        for source, _mirror, _columns in FEEDS:
            cursor.execute(f"DROP TRIGGER IF EXISTS national_feed ON {_quote(source)}")


class Migration(migrations.Migration):
    dependencies = [
        ("national", "0002_read_model"),
        ("networkmap", "0003_key_figure_unique_user"),
        ("councils", "0002_status_history"),
        ("signals", "0001_initial"),
    ]

    operations = [migrations.RunPython(install, remove)]
