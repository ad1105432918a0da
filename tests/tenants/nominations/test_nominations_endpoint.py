"""The nominations API: staff only, one error shape, reports and comparison over HTTP."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django_tenants.utils import tenant_context

from tenants.networkmap.models import KeyFigure
from tenants.nominations.models import ImportRun, NominationEntry, RejectedMatch
from tests.helpers import assert_error
from tests.tenants.nominations.conftest import csv_bytes, row, xlsx_bytes

IMPORTS = "/api/v1/nominations/imports/"
COMPARISON = "/api/v1/nominations/comparison/"


def _upload(client, data: bytes, *, source="municipality", name="lijst.csv", dry_run=False):
    return client.post(
        IMPORTS,
        {"file": SimpleUploadedFile(name, data), "source": source, "dry_run": "true" if dry_run else "false"},
        format="multipart",
    )


@pytest.fixture
def staff_map(city_map, people):
    """The map exists; requests are made from the public schema as the middleware would."""
    connection.set_schema_to_public()
    return {"official": people.official("utrecht"), "police": people.police("utrecht")}


def _in_utrecht(utrecht, query):
    with tenant_context(utrecht):
        return query()


def test_staff_import_a_list_and_read_the_runs(api, staff_map, utrecht):
    data = csv_bytes(
        [row("Jan", "Berg", infix="van der", mobile="0612345678"), row("Bram", "Bakker", mobile="1")]
    )
    response = _upload(api(staff_map["official"]), data)

    assert response.status_code == 201, response.json()
    report = response.json()
    assert (report["created"], report["error_count"], report["dry_run"]) == (1, 1, False)
    assert report["errors"] == [
        {
            "line": 3,
            "column": "Mobiel",
            "code": "nomination_row_invalid_phone",
            "detail": "'1' is not a valid phone number.",
        }
    ]
    client = api(staff_map["police"], language="nl")
    runs = client.get(IMPORTS).json()
    assert runs["count"] == 1 and runs["results"][0]["created_count"] == 1
    detail = client.get(f"{IMPORTS}{report['run_id']}/").json()
    assert detail["errors"][0]["detail"] == "(waarde niet bewaard) is geen geldig telefoonnummer."
    assert detail["imported_by"] and detail["source"] == "municipality"

    # The police upload an XLSX list; the same person by phone lands on the same key figure.
    xlsx = xlsx_bytes([["J.", "v.d.", "Berg", "+31 6 1234 5678", None, None, None, None, None, None]])
    response = _upload(client, xlsx, source="police", name="politie.xlsx")
    assert response.status_code == 201 and response.json()["key_figures_linked"] == 1
    figure = _in_utrecht(utrecht, lambda: KeyFigure.objects.get())
    assert figure.nominated_by_municipality and figure.nominated_by_police


def test_dry_run_answers_200_and_writes_nothing(api, staff_map, utrecht):
    response = _upload(api(staff_map["official"]), csv_bytes([row("Jan", "Berg")]), dry_run=True)
    assert response.status_code == 200 and response.json()["created"] == 1 and response.json()["dry_run"]
    assert _in_utrecht(utrecht, lambda: (KeyFigure.objects.count(), NominationEntry.objects.count())) == (
        0,
        0,
    )


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"", "leeg.csv", "nomination_file_empty"),
        (b"Wie;Wat\r\nx;y\r\n", "lijst.csv", "nomination_file_missing_columns"),
        (b"\x00\xff\x00garbage", "lijst.csv", "nomination_file_unreadable"),
        (b"%PDF-1.4", "lijst.pdf", "nomination_file_unsupported"),
    ],
)
def test_a_bad_file_is_a_400_with_a_stable_code(api, staff_map, utrecht, data, name, code):
    response = _upload(api(staff_map["official"]), data, name=name)
    assert_error(response, code, 400)
    assert _in_utrecht(utrecht, lambda: ImportRun.objects.count()) == 0


def test_invalid_upload_fields_are_a_validation_error(api, staff_map):
    response = api(staff_map["official"]).post(IMPORTS, {"source": "buurtapp"}, format="multipart")
    body = assert_error(response, "validation_failed", 400)
    assert set(body["fields"]) == {"file", "source"}


def test_comparison_and_the_match_actions(api, staff_map, utrecht):
    official = api(staff_map["official"])
    _upload(official, csv_bytes([row("Mehmet", "Özdemir"), row("Pieter", "Dijkstra", mobile="0687654321")]))
    _upload(
        api(staff_map["police"]),
        csv_bytes([row("Ozdemir", "Mehmet"), row("P.", "Dijkstra", mobile="0611223344")]),
        source="police",
    )
    comparison = official.get(COMPARISON)
    assert comparison.status_code == 200
    body = comparison.json()
    assert body["counts"] == {"both": 0, "only_municipality": 2, "only_police": 2, "ambiguous": 2}
    ozdemir, dijkstra = sorted(body["ambiguous"], key=lambda a: a["municipality"]["last_name"] != "Özdemir")

    def pair(item):
        return {
            "municipality_key_figure": item["municipality"]["key_figure_id"],
            "police_key_figure": item["police"]["key_figure_id"],
        }

    rejected = official.post(
        f"{COMPARISON}reject/", {**pair(dijkstra), "reason": "twee personen"}, format="json"
    )
    assert rejected.status_code == 200 and rejected.json()["reason"] == "twee personen"
    confirmed = official.post(f"{COMPARISON}confirm/", pair(ozdemir), format="json")
    assert confirmed.status_code == 200, confirmed.json()
    assert confirmed.json()["nominated_by_municipality"] and confirmed.json()["nominated_by_police"]
    after = official.get(COMPARISON).json()
    assert after["counts"] == {"both": 1, "only_municipality": 1, "only_police": 1, "ambiguous": 0}
    assert _in_utrecht(utrecht, lambda: (KeyFigure.objects.count(), RejectedMatch.objects.count())) == (3, 1)

    wrong = official.post(
        f"{COMPARISON}confirm/",
        {"municipality_key_figure": dijkstra["police"]["key_figure_id"], "police_key_figure": 999999},
        format="json",
    )
    assert_error(wrong, "not_found", 404)
    backwards = official.post(
        f"{COMPARISON}confirm/",
        {
            "municipality_key_figure": dijkstra["police"]["key_figure_id"],
            "police_key_figure": dijkstra["municipality"]["key_figure_id"],
        },
        format="json",
    )
    assert_error(backwards, "nomination_match_invalid", 400)
    # ``agora.ids``: other scripts' digits are no id (int() would read "٣" as 3).
    arabic = str(dijkstra["police"]["key_figure_id"]).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    foreign_digits = official.post(
        f"{COMPARISON}confirm/",
        {"municipality_key_figure": dijkstra["municipality"]["key_figure_id"], "police_key_figure": arabic},
        format="json",
    )
    assert foreign_digits.status_code == 400, foreign_digits.json()


def test_reading_the_comparison_is_logged_per_person(api, staff_map, utrecht):
    from agora.audit.models import PersonRecordRead

    official = api(staff_map["official"])
    _upload(official, csv_bytes([row("Jan", "Berg"), row("Piet", "Bakker")]))
    official.get(COMPARISON)
    reads = PersonRecordRead.objects.filter(actor=staff_map["official"], record_type="networkmap.KeyFigure")
    assert reads.count() == 2


@pytest.mark.parametrize("who", ["ally", "stranger", "amersfoort_official", "anonymous"])
def test_only_staff_of_this_municipality(api, staff_map, people, utrecht, who):
    user = {
        "ally": lambda: people.ally("utrecht"),
        "stranger": people.stranger,
        "amersfoort_official": lambda: people.official("amersfoort"),
        "anonymous": lambda: None,
    }[who]()
    client = api(user)
    expected = ("not_authenticated", 401) if user is None else ("permission_denied", 403)
    for response in (
        client.get(IMPORTS),
        client.get(COMPARISON),
        _upload(client, csv_bytes([row("Jan", "Berg")])),
        client.post(
            f"{COMPARISON}confirm/", {"municipality_key_figure": 1, "police_key_figure": 2}, format="json"
        ),
        client.post(
            f"{COMPARISON}reject/", {"municipality_key_figure": 1, "police_key_figure": 2}, format="json"
        ),
    ):
        code, status = expected
        if user is None and response.status_code == 403:
            code, status = "not_authenticated", 403  # session auth answers 403 without a challenge
        assert_error(response, code, status)
    assert _in_utrecht(utrecht, lambda: ImportRun.objects.count()) == 0


def test_the_openapi_schema_documents_the_endpoints(api, staff_map):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    assert "multipart/form-data" in paths[IMPORTS]["post"]["requestBody"]["content"]
    assert set(paths[IMPORTS]["post"]["responses"]) >= {"200", "201", "400", "403"}
    assert f"{COMPARISON}confirm/" in paths and f"{COMPARISON}reject/" in paths
    assert "ImportRun" in schema["components"]["schemas"]
    assert "Comparison" in schema["components"]["schemas"]


def test_import_runs_are_read_only_in_the_tenant_admin(api, web, staff_map, people, utrecht):
    report = _upload(api(staff_map["official"]), csv_bytes([row("Jan", "Berg")])).json()
    client = web(staff_map["police"])
    listing = client.get("/admin/nominations/importrun/")
    assert listing.status_code == 200 and "lijst.csv" in listing.content.decode()
    change = client.get(f"/admin/nominations/importrun/{report['run_id']}/change/")
    assert change.status_code == 200 and 'name="_save"' not in change.content.decode()
    assert client.get("/admin/nominations/importrun/add/").status_code == 403
    assert web(people.ally("utrecht")).get("/admin/nominations/importrun/").status_code == 302


def test_stored_row_errors_keep_no_personal_values(api, web, staff_map, utrecht):
    data = csv_bytes(
        [
            row("Jan", "Berg", mobile="0612"),
            row("Piet", "Bakker", email="piet@@bakker"),
            row("Kees", "Kok", wijk="Hoograven Zuid-West"),
        ]
    )
    report = _upload(api(staff_map["official"]), data).json()
    assert "'0612'" in report["errors"][0]["detail"]  # the uploader sees the cell in the report

    run_id = report["run_id"]
    stored = _in_utrecht(utrecht, lambda: ImportRun.objects.get(pk=run_id).errors)
    assert [(e["line"], e["column"], e["code"], e["params"]) for e in stored] == [
        (2, "Mobiel", "nomination_row_invalid_phone", {}),
        (3, "E-mail", "nomination_row_invalid_email", {}),
        (4, "Wijk", "nomination_row_unknown_neighbourhood", {}),
    ]
    client = api(staff_map["police"], language="en")
    detail = client.get(f"{IMPORTS}{run_id}/").json()
    assert [e["detail"] for e in detail["errors"]] == [
        "(value not stored) is not a valid phone number.",
        "(value not stored) is not a valid e-mail address.",
        "There is no neighbourhood (value not stored) in this municipality.",
    ]
    listing = client.get(IMPORTS).content.decode()
    admin_page = web(staff_map["police"]).get(f"/admin/nominations/importrun/{run_id}/change/")
    for page in (listing, admin_page.content.decode()):
        for value in ("0612", "piet@@bakker", "Hoograven"):
            assert value not in page


def test_import_runs_filter_by_list_and_dry_run(api, staff_map):
    official = api(staff_map["official"])
    _upload(official, csv_bytes([row("Jan", "Berg")]), name="gemeente.csv")
    _upload(official, csv_bytes([row("Jan", "Berg")]), name="gemeente-voorproef.csv", dry_run=True)
    _upload(official, csv_bytes([row("Piet", "Bakker")]), source="police", name="politie.csv")

    def names(**params):
        response = official.get(IMPORTS, params)
        assert response.status_code == 200, response.json()
        return sorted(run["file_name"] for run in response.json()["results"])

    assert names() == ["gemeente-voorproef.csv", "gemeente.csv", "politie.csv"]
    assert names(source="municipality") == ["gemeente-voorproef.csv", "gemeente.csv"]
    assert names(source="police") == ["politie.csv"]
    assert names(dry_run="true") == ["gemeente-voorproef.csv"]
    assert names(dry_run="false", source="municipality") == ["gemeente.csv"]
    body = assert_error(official.get(IMPORTS, {"source": "buurtapp"}), "validation_failed", 400)
    assert "source" in body["fields"]
