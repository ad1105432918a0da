"""The national feed's row triggers on this schema's tables, and the mirror filled from its rows."""

from django.db import migrations

from agora.national.feed import FEEDS, backfill_sql, trigger_sql


def install(apps, schema_editor) -> None:
    connection = schema_editor.connection
    connection.ensure_connection()
    with connection.cursor() as cursor:
        for feed in FEEDS:
            cursor.execute(f'DROP TRIGGER IF EXISTS national_feed ON "{feed.source}"')
            cursor.execute(trigger_sql(feed).as_string(connection.connection))
            cursor.execute(backfill_sql(feed).as_string(connection.connection))


def remove(apps, schema_editor) -> None:
    with schema_editor.connection.cursor() as cursor:
        for feed in FEEDS:
            cursor.execute(f'DROP TRIGGER IF EXISTS national_feed ON "{feed.source}"')


class Migration(migrations.Migration):
    dependencies = [
        ("national", "0002_read_model"),
        ("networkmap", "0003_key_figure_unique_user"),
        ("councils", "0002_status_history"),
        ("signals", "0001_initial"),
    ]

    operations = [migrations.RunPython(install, remove)]
