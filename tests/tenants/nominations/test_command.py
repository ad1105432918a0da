"""``import_nominations`` management command: by slug, by schema, under tenant_command, dry run."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import tenant_context

from tenants.networkmap.models import KeyFigure
from tenants.nominations.models import ImportRun, NominationEntry
from tests.tenants.nominations.conftest import csv_bytes, row, xlsx_bytes

ROWS = [
    row("Jan", "Berg", infix="van der", mobile="06-12345678", wijk="Lombok"),
    row("Bram", "Bakker", mobile="1"),
]


@pytest.fixture
def list_file(tmp_path, city_map):
    path = tmp_path / "politie lijst.csv"
    path.write_bytes(csv_bytes(ROWS))
    connection.set_schema_to_public()
    return path


def _run(*args) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_nominations", *args, stdout=out, stderr=err)
    return out.getvalue()


def test_dry_run_prints_the_report_and_writes_nothing(list_file, utrecht):
    output = _run(str(list_file), "--source", "police", "--municipality", "utrecht", "--dry-run")

    assert output.startswith("DRY RUN, nothing written: Utrecht, police list politie lijst.csv")
    assert "2 rows, 1 created, 0 updated, 0 unchanged, 1 with errors" in output
    assert "line 3, Mobiel: '1' is not a valid phone number. [nomination_row_invalid_phone]" in output
    with tenant_context(utrecht):
        assert KeyFigure.objects.count() == 0 and NominationEntry.objects.count() == 0
        assert ImportRun.objects.get().dry_run


def test_import_by_schema_with_a_user_then_again_changes_nothing(list_file, utrecht, people):
    police = people.police("utrecht")
    first = _run(
        str(list_file), "--source", "police", "--schema", utrecht.schema_name, "--user", police.username
    )
    second = _run(str(list_file), "--source", "police", "--schema", utrecht.schema_name)

    assert "1 created" in first and "0 created, 0 updated, 1 unchanged" in second
    with tenant_context(utrecht):
        figure = KeyFigure.objects.get()
        assert figure.nominated_by_police and figure.neighbourhood.name == "Lombok"
        assert ImportRun.objects.filter(imported_by=police).count() == 1


def test_runs_under_tenant_command_in_the_current_schema(tmp_path, city_map, utrecht):
    path = tmp_path / "gemeente.xlsx"
    path.write_bytes(
        xlsx_bytes([["Anna", None, "Jansen", "0612345678", None, None, None, None, None, "nee"]])
    )
    connection.set_tenant(utrecht)  # what ``tenant_command --schema=gm_utrecht`` does before calling us
    output = _run(str(path), "--source", "municipality")
    assert "Utrecht, municipality list gemeente.xlsx: 1 rows, 1 created" in output
    assert KeyFigure.objects.get().nominated_by_municipality


def test_a_bad_file_or_a_missing_municipality_is_a_command_error(tmp_path, utrecht):
    path = tmp_path / "kapot.csv"
    path.write_bytes(b"Wie;Wat\r\n1;2\r\n")
    with pytest.raises(CommandError, match="nomination_file_missing_columns"):
        _run(str(path), "--source", "police", "--municipality", "utrecht")
    connection.set_schema_to_public()  # a fresh process: no tenant chosen by tenant_command
    with pytest.raises(CommandError, match="--municipality"):
        _run(str(path), "--source", "police")
    with pytest.raises(CommandError, match="No file"):
        _run(str(tmp_path / "bestaat-niet.csv"), "--source", "police", "--municipality", "utrecht")
    with tenant_context(utrecht):
        assert ImportRun.objects.count() == 0
