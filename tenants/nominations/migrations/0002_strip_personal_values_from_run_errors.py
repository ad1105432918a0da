"""Row errors kept with import runs lose the cells' values (phone numbers, e-mail addresses, names).

The runs' history is read by all staff; only line, column, code and non-personal parameters stay.
"""

from django.db import migrations

STORED_PARAMS = {"line", "limit"}  # as tenants.nominations.columns.STORED_PARAMS at this point


def strip_values(apps, schema_editor):
    ImportRun = apps.get_model("nominations", "ImportRun")
    for run in ImportRun.objects.exclude(errors=[]).only("pk", "errors"):
        stripped = [
            {**error, "params": {k: v for k, v in (error.get("params") or {}).items() if k in STORED_PARAMS}}
            for error in run.errors
        ]
        if stripped != run.errors:
            ImportRun.objects.filter(pk=run.pk).update(errors=stripped)


class Migration(migrations.Migration):
    dependencies = [("nominations", "0001_initial")]

    operations = [migrations.RunPython(strip_values, migrations.RunPython.noop)]
