"""A dry run (and an import) reports row by row what it does, not only the counts."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from tenants.nominations import report as import_report
from tenants.nominations.importing import do_import_nominations
from tests.tenants.nominations.conftest import csv_bytes, row

FIRST = [
    row("Jan", "Berg", infix="van der", mobile="0612345678", wijk="Lombok"),
    row("Anouk", "Visser", email="anouk@example.nl"),
    row("Kees", "Kok"),
]
SECOND = [
    row("Jan", "Berg", infix="van der", mobile="0612345678", wijk="Overvecht", influence="Kent het plein"),
    row("Anouk", "Visser", email="anouk@example.nl"),  # unchanged
    row("Bram", "Bakker", mobile="1"),  # error
    row("Nieuw", "Persoon"),  # created
    row("Kees", "Kok", communities="Ondernemers"),  # updated: communities
]


def _import(rows, user, dry_run=False):
    return do_import_nominations(
        io.BytesIO(csv_bytes(rows)),
        filename="g.csv",
        source="municipality",
        acting_user=user,
        dry_run=dry_run,
    )


def test_the_dry_run_lists_per_row_what_would_happen(city_map, people):
    official = people.official("utrecht")
    _import(FIRST, official)

    preview = _import(SECOND, official, dry_run=True)

    assert [row.as_dict() for row in preview.rows] == [
        {"line": 2, "outcome": "updated", "fields": ["neighbourhood", "influence_notes"], "codes": []},
        {"line": 3, "outcome": "unchanged", "fields": [], "codes": []},
        {"line": 4, "outcome": "error", "fields": [], "codes": ["nomination_row_invalid_phone"]},
        {"line": 5, "outcome": "created", "fields": [], "codes": []},
        {"line": 6, "outcome": "updated", "fields": ["communities"], "codes": []},
    ]
    assert not preview.rows_truncated
    real = _import(SECOND, official)
    assert real.rows == preview.rows  # the preview told the truth


def test_the_list_of_rows_is_bounded(city_map, people, monkeypatch):
    monkeypatch.setattr(import_report, "ROW_OUTCOME_LIMIT", 2)
    preview = _import(FIRST, people.official("utrecht"), dry_run=True)
    assert [row.line for row in preview.rows] == [2, 3] and preview.rows_truncated
    assert preview.created == 3  # the counts still cover every row


def test_the_api_and_the_command_show_the_rows(api, city_map, people, tmp_path, utrecht):
    official = people.official("utrecht")
    _import(FIRST, official)
    connection.set_schema_to_public()

    response = api(official).post(
        "/api/v1/nominations/imports/",
        {"file": SimpleUploadedFile("g.csv", csv_bytes(SECOND)), "source": "municipality", "dry_run": "true"},
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["rows"][0] == {
        "line": 2,
        "outcome": "updated",
        "fields": ["neighbourhood", "influence_notes"],
        "codes": [],
    }
    assert [r["outcome"] for r in body["rows"]] == ["updated", "unchanged", "error", "created", "updated"]
    assert body["rows_truncated"] is False

    path = tmp_path / "g.csv"
    path.write_bytes(csv_bytes(SECOND))
    out = io.StringIO()
    call_command(
        "import_nominations", str(path), "--source", "municipality", "--municipality", "utrecht", "--dry-run",
        stdout=out, stderr=io.StringIO(),
    )  # fmt: skip
    output = out.getvalue()
    assert "  line 2: updated (neighbourhood, influence_notes)" in output
    assert "  line 3: unchanged" in output
    assert "  line 4: error (nomination_row_invalid_phone)" in output
    assert "  line 5: created" in output
    assert "  line 6: updated (communities)" in output
