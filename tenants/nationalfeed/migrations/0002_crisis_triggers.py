"""The national feed's triggers on the crisis room's tables (issue 11 point 2), and their backfill."""

from django.db import migrations

# Frozen copy of the crisis entries of agora.national.feed.FEEDS as of this migration.
FEEDS = (
    ("crises_crisis", "national_mirrorcrisis",
     ("kind", "is_drill", "status", "declared_at", "deadline_at", "quorum_at", "closed_at")),
    ("crises_convocation", "national_mirrorconvocation", ("crisis_id", "side", "answer", "reachable")),
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
            # Crises already there (an existing municipality migrating): fill the mirror once.
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
        ("nationalfeed", "0001_triggers"),
        ("national", "0004_crisis_mirrors"),
        ("crises", "0001_initial"),
    ]

    operations = [migrations.RunPython(install, remove)]
