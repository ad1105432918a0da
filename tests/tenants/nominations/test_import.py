"""Importing the municipality's and the police's lists (CSV and XLSX) through the real service."""

from __future__ import annotations

import io
import os
import zipfile

import pytest

from agora.audit.models import AuditEvent
from agora.errors import DomainError
from tenants.networkmap.models import KeyFigure
from tenants.nominations.importing import do_import_nominations
from tenants.nominations.models import ImportRun, NominationEntry
from tests.helpers import assert_raises_code
from tests.tenants.nominations.conftest import HEADER_NL, csv_bytes, row, xlsx_bytes

MUNICIPALITY_ROWS = [
    row(
        "Jan",
        "Berg",
        infix="van der",
        mobile="06-12345678",
        email="Jan.vdBerg@Example.nl",
        wijk="kanaleneiland",
        communities="Ondernemers; Ulu Moskee",
        represents="Ondernemersvereniging",
        influence="Kent iedereen op het plein",
    ),
    row(
        "Fatima",
        "El Amrani",
        mobile="+31 6 2345 6789",
        wijk="Overvecht",
        communities="Marokkaanse gemeenschap",
    ),
    row("Mehmet", "Özdemir", email="m.ozdemir@example.nl", wijk="LOMBOK", professional="ja"),
]


def _import(data: bytes, user, *, source="municipality", filename="gemeente.csv", dry_run=False):
    return do_import_nominations(
        io.BytesIO(data), filename=filename, source=source, acting_user=user, dry_run=dry_run
    )


def _state() -> tuple:
    """Everything an import may write, to prove that something did not change."""
    return (
        sorted(KeyFigure.objects.values_list("pk", "first_name", "mobile", "email", "updated_at")),
        sorted(NominationEntry.objects.values_list("pk", "mobile", "updated_at", "last_changed_run_id")),
        sorted(
            (entry, community)
            for entry, community in NominationEntry.communities.through.objects.values_list(
                "nominationentry_id", "community_id"
            )
        ),
        sorted(KeyFigure.communities.through.objects.values_list("keyfigure_id", "community_id")),
    )


def test_csv_import_creates_entries_and_key_figures(city_map, people):
    official = people.official("utrecht")
    report = _import(csv_bytes(MUNICIPALITY_ROWS), official)

    assert (report.total_rows, report.created, report.updated, report.unchanged) == (3, 3, 0, 0)
    assert report.errors == [] and report.key_figures_created == 3 and report.file_format == "csv"
    jan = KeyFigure.objects.get(last_name="Berg")
    assert (jan.first_name, jan.infix, jan.mobile, jan.email) == (
        "Jan",
        "van der",
        "+31612345678",
        "jan.vdberg@example.nl",
    )
    assert jan.neighbourhood == city_map["kanaleneiland"]
    assert set(jan.communities.all()) == {city_map["ondernemers"], city_map["moskee"]}
    assert jan.nominated_by_municipality and not jan.nominated_by_police
    assert jan.represents == "Ondernemersvereniging" and jan.influence_notes == "Kent iedereen op het plein"
    mehmet = KeyFigure.objects.get(last_name="Özdemir")
    assert mehmet.is_professional_representative and mehmet.neighbourhood == city_map["lombok"]
    entry = NominationEntry.objects.get(key_figure=jan)
    assert entry.source == "municipality" and entry.line_number == 2
    assert entry.raw_row["Mobiel"] == "06-12345678"
    run = ImportRun.objects.get(pk=report.run_id)
    assert (run.created_count, run.error_count, run.dry_run, run.imported_by_id) == (3, 0, False, official.pk)
    assert run.checksum == report.checksum and len(run.checksum) == 64
    event = AuditEvent.objects.get(action="nominations.imported")
    assert event.actor_id == official.pk and event.detail["created"] == 3
    assert "Jan" not in str(event.detail)  # counts, no personal data


def test_xlsx_import_with_numbers_blank_rows_and_line_numbers(city_map, people):
    rows = [
        [
            "Aylin",
            None,
            "Yılmaz",
            612121212,
            "aylin@example.nl",
            "Overvecht",
            "Turkse gemeenschap",
            None,
            None,
            False,
        ],
        [None] * 10,  # a blank row keeps its number
        ["Piet", "de", "Vries", "0612", None, "Lombok", None, None, None, "nee"],
        ["Kees", None, "Smit", 31687654321, None, None, None, None, None, True],
    ]
    data = xlsx_bytes(rows, blank_rows_before=2)  # header on row 3, data from row 4
    report = _import(data, people.police("utrecht"), source="police", filename="politie.xlsx")

    assert report.file_format == "xlsx"
    assert (report.total_rows, report.created, report.error_count) == (3, 2, 1)
    assert [(e.line, e.column, e.code) for e in report.errors] == [
        (6, "Mobiel", "nomination_row_invalid_phone")
    ]
    aylin = KeyFigure.objects.get(last_name="Yılmaz")
    assert (
        aylin.mobile == "+31612121212" and aylin.nominated_by_police and not aylin.nominated_by_municipality
    )
    assert list(aylin.communities.all()) == [city_map["turks"]]
    kees = KeyFigure.objects.get(last_name="Smit")
    assert kees.mobile == "+31687654321" and kees.is_professional_representative
    assert NominationEntry.objects.get(key_figure=aylin).line_number == 4


def test_comma_cp1252_english_headings_and_loose_header_spelling(city_map, people):
    header = [
        " first NAME ",
        "Last name",
        "E MAIL",
        "Phone",
        "Neighbourhood",
        "Communities",
        "Notes",
        "Extra",
    ]
    rows = [
        [
            "Özlem",
            "Çelik",
            "ozlem@example.nl",
            "0031 6 11112222",
            "Kanaleneiland",
            "Ondernemers,Ulu Moskee",
            "",
            "x",
        ]
    ]
    data = csv_bytes(rows, header=header, delimiter=",", encoding="cp1252")
    report = _import(data, people.official("utrecht"))

    assert report.created == 1 and report.errors == []
    assert report.ignored_columns == ["Extra"]
    figure = KeyFigure.objects.get()
    assert (figure.first_name, figure.last_name, figure.mobile) == ("Özlem", "Çelik", "+31611112222")
    assert figure.communities.count() == 2


def test_naam_column_is_split_into_parts(city_map, people):
    data = csv_bytes(
        [["Berg, Jan van der", "0612345678"], ["Mohamed Amrani", ""]], header=["Naam", "Telefoon"]
    )
    report = _import(data, people.official("utrecht"))
    assert report.created == 2
    jan = KeyFigure.objects.get(mobile="+31612345678")
    assert (jan.first_name, jan.infix, jan.last_name) == ("Jan", "van der", "Berg")


def test_importing_the_same_file_twice_changes_nothing(city_map, people):
    official = people.official("utrecht")
    data = csv_bytes(MUNICIPALITY_ROWS)
    _import(data, official)
    before = _state()

    again = _import(data, official)

    assert (again.created, again.updated, again.unchanged, again.error_count) == (0, 0, 3, 0)
    assert (again.key_figures_created, again.key_figures_linked, again.not_in_file) == (0, 0, 0)
    assert _state() == before
    assert KeyFigure.objects.count() == 3 and NominationEntry.objects.count() == 3
    assert ImportRun.objects.count() == 2  # the history shows both imports


def test_a_changed_row_updates_in_place_without_overwriting_map_edits(city_map, people):
    official = people.official("utrecht")
    _import(csv_bytes(MUNICIPALITY_ROWS), official)
    jan = KeyFigure.objects.get(last_name="Berg")
    jan.represents = "Winkeliersvereniging (gecorrigeerd op de kaart)"
    jan.save()

    changed = [list(r) for r in MUNICIPALITY_ROWS]
    changed[0][3] = "06 55558888"  # new phone: matched on e-mail, updated in place
    changed[0][7] = "Iets anders"  # the list changes "represents" too, but the map was edited
    changed[0][6] = "Ondernemers"  # Ulu Moskee dropped
    report = _import(csv_bytes(changed[:1]), official)

    assert (report.created, report.updated, report.unchanged, report.not_in_file) == (0, 1, 0, 2)
    jan.refresh_from_db()
    assert jan.mobile == "+31655558888"
    assert jan.represents == "Winkeliersvereniging (gecorrigeerd op de kaart)"
    assert list(jan.communities.all()) == [city_map["ondernemers"]]
    assert KeyFigure.objects.count() == 3 and NominationEntry.objects.count() == 3


def test_bad_rows_are_line_numbered_and_the_good_rows_import(city_map, people):
    text = (
        "Voornaam;Achternaam;Mobiel;Wijk;Gemeenschap;Professionele organisatie;Toelichting\r\n"  # 1
        'Anna;Jansen;0612345678;Lombok;;nee;"Twee regels\r\nin één cel"\r\n'  # 2 (one spreadsheet row)
        "Bram;Bakker;12345;Lombok;;nee;\r\n"  # 3 invalid phone
        ";Zonder Voornaam;;;;;\r\n"  # 4 missing name
        "\r\n"  # 5 blank
        "Cor;de Wit;;Atlantis;Vissers;misschien;\r\n"  # 6 three problems
        "Dirk;Dekker;06-87654321;overvecht;marokkaanse GEMEENSCHAP;j;\r\n"  # 7 good
        "Anna;Janssen;0612345678;Lombok;;nee;\r\n"  # 8 same phone and name as line 2
    )
    report = _import(text.encode("utf-8"), people.official("utrecht"))

    assert (report.total_rows, report.created, report.error_count) == (6, 2, 4)
    assert [(e.line, e.column, e.code) for e in report.errors] == [
        (3, "Mobiel", "nomination_row_invalid_phone"),
        (4, "Voornaam", "nomination_row_missing_name"),
        (6, "Wijk", "nomination_row_unknown_neighbourhood"),
        (6, "Gemeenschap", "nomination_row_unknown_community"),
        (6, "Professionele organisatie", "nomination_row_invalid_yes_no"),
        (8, "", "nomination_row_duplicate"),
    ]
    assert report.errors[-1].params == {"line": 2}
    assert sorted(KeyFigure.objects.values_list("first_name", flat=True)) == ["Anna", "Dirk"]
    assert KeyFigure.objects.get(first_name="Anna").influence_notes == "Twee regels\r\nin één cel"
    assert report.errors[0].params == {"value": "12345"}  # the uploader's own report shows the cell
    stored = ImportRun.objects.get(pk=report.run_id).errors
    assert stored[0] == {  # the run's history keeps no personal values
        "line": 3,
        "column": "Mobiel",
        "code": "nomination_row_invalid_phone",
        "params": {},
    }
    assert stored[-1]["params"] == {"line": 2}


def _zip_that_is_not_xlsx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "filename", "code"),
    [
        (b"", "leeg.csv", "nomination_file_empty"),
        (b"   \r\n\r\n", "leeg.csv", "nomination_file_empty"),
        (";".join(HEADER_NL).encode(), "alleen-kop.csv", "nomination_file_empty"),
        (b"Wie;Telefoon\r\nJan;0612345678\r\n", "verkeerd.csv", "nomination_file_missing_columns"),
        (b"Voornaam;Telefoon\r\nJan;0612345678\r\n", "half.csv", "nomination_file_missing_columns"),
        (
            b"Voornaam;Achternaam;Mobiel;Telefoon\r\nJan;Berg;06;06\r\n",
            "dubbel.csv",
            "nomination_file_duplicate_column",
        ),
        (b"\x00\x01\x02garbage" + bytes(range(256)) * 8, "lijst.csv", "nomination_file_unreadable"),
        (b"%PDF-1.7 pretending", "lijst.pdf", "nomination_file_unsupported"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old excel", "lijst.xls", "nomination_file_unsupported"),
        (b"Voornaam;Achternaam\r\nJan;Berg\r\n", "lijst.docx", "nomination_file_unsupported"),
        (_zip_that_is_not_xlsx(), "lijst.xlsx", "nomination_file_unreadable"),
        (b"PK\x03\x04 truncated zip", "lijst.xlsx", "nomination_file_unreadable"),
        (xlsx_bytes([], header=["Voornaam", "Achternaam"]), "leeg.xlsx", "nomination_file_empty"),
    ],
)
def test_a_bad_file_raises_a_stable_code_and_writes_nothing(city_map, people, data, filename, code):
    with assert_raises_code(code) as caught:
        _import(data, people.official("utrecht"), filename=filename)
    assert caught.value.message("nl") and caught.value.message("en")
    assert not KeyFigure.objects.exists()
    assert not NominationEntry.objects.exists()
    assert not ImportRun.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="nominations.").exists()


def test_random_garbage_is_refused(city_map, people):
    data = os.urandom(4096) + b"\x00"
    with pytest.raises(DomainError) as caught:
        _import(data, people.official("utrecht"))
    assert caught.value.code in {"nomination_file_unreadable", "nomination_file_unsupported"}
    assert not NominationEntry.objects.exists()


def test_unknown_source_is_refused(city_map, people):
    with assert_raises_code("nomination_invalid_source"):
        _import(csv_bytes(MUNICIPALITY_ROWS), people.official("utrecht"), source="buurtapp")
    assert not ImportRun.objects.exists()


def test_dry_run_reports_what_would_change_and_writes_nothing(city_map, people):
    official = people.official("utrecht")
    _import(csv_bytes(MUNICIPALITY_ROWS[:1]), official)
    before = _state()
    rows = [*MUNICIPALITY_ROWS, row("Zonder", "Telefoon", mobile="123")]
    rows[0] = list(rows[0])
    rows[0][8] = "Nieuwe toelichting"

    preview = _import(csv_bytes(rows), official, dry_run=True)

    assert preview.dry_run
    assert (preview.created, preview.updated, preview.unchanged, preview.error_count) == (2, 1, 0, 1)
    assert preview.key_figures_created == 2
    assert _state() == before
    assert NominationEntry.objects.count() == 1 and KeyFigure.objects.count() == 1
    run = ImportRun.objects.get(pk=preview.run_id)  # the preview is in the history, nothing else
    assert run.dry_run and run.created_count == 2 and not run.created_entries.exists()

    real = _import(csv_bytes(rows), official)  # the real import does what the preview said
    assert (real.created, real.updated, real.unchanged, real.error_count) == (2, 1, 0, 1)


def test_strong_cross_list_match_flags_the_existing_key_figure(city_map, people):
    _import(csv_bytes(MUNICIPALITY_ROWS), people.official("utrecht"))
    police_rows = [
        row("J.", "Berg", infix="v.d.", mobile="+31 6 1234 5678"),  # same phone, other format
        row("Mehmet", "Ozdemir", email="M.Ozdemir@example.NL"),  # same e-mail, other case
        row("Nieuw", "Persoon", mobile="0611223344"),
    ]
    report = _import(csv_bytes(police_rows), people.police("utrecht"), source="police", filename="p.csv")

    assert (report.created, report.key_figures_linked, report.key_figures_created) == (3, 2, 1)
    assert KeyFigure.objects.count() == 4
    jan = KeyFigure.objects.get(mobile="+31612345678")
    assert jan.nominated_by_municipality and jan.nominated_by_police
    assert (jan.first_name, jan.infix) == ("Jan", "van der")  # the other list does not overwrite names
    assert set(jan.nomination_entries.values_list("source", flat=True)) == {"municipality", "police"}
    mehmet = KeyFigure.objects.get(email="m.ozdemir@example.nl")
    assert mehmet.nominated_by_police and mehmet.last_name == "Özdemir"


def test_name_only_cross_list_resemblance_creates_a_separate_key_figure(city_map, people):
    _import(csv_bytes(MUNICIPALITY_ROWS), people.official("utrecht"))
    report = _import(
        csv_bytes([row("Fatima", "El Amrani", mobile="0655887766")]),
        people.police("utrecht"),
        source="police",
    )
    assert report.key_figures_created == 1 and report.key_figures_linked == 0
    assert KeyFigure.objects.filter(last_name="El Amrani").count() == 2


def test_same_list_key_figure_already_on_the_map_is_updated(city_map, people):
    existing = KeyFigure.objects.create(
        first_name="Jan", infix="van der", last_name="Berg", nominated_by_municipality=True
    )
    report = _import(csv_bytes(MUNICIPALITY_ROWS[:1]), people.official("utrecht"))
    assert report.key_figures_linked == 1 and report.key_figures_created == 0
    existing.refresh_from_db()
    assert existing.mobile == "+31612345678" and existing.neighbourhood == city_map["kanaleneiland"]


def test_a_rule_of_the_map_fails_only_its_row(city_map, people):
    # Someone on the police's list who lives in Amersfoort cannot get a neighbourhood in Utrecht.
    KeyFigure.objects.create(
        first_name="Sem",
        last_name="Kok",
        mobile="+31611112222",
        residence_cbs_code="GM0307",
        nominated_by_police=True,
    )
    rows = [row("Sem", "Kok", mobile="0611112222", wijk="Lombok"), row("Tim", "Kok", mobile="0633334444")]
    report = _import(csv_bytes(rows), people.police("utrecht"), source="police")

    assert [(e.line, e.code) for e in report.errors] == [(2, "residence_conflict")]
    assert (report.created, report.key_figures_created, report.key_figures_linked) == (1, 1, 0)
    assert NominationEntry.objects.count() == 1
    assert KeyFigure.objects.get(last_name="Kok", first_name="Sem").neighbourhood is None
    assert AuditEvent.objects.filter(action="networkmap.key_figure.created").count() == 1
