"""Hostile input over HTTP and the socket gets a clear 4xx with a stable code, never a 500.

Each case was a 500 (or a broken export) before: a deeply nested JSON body (``RecursionError``,
also for anonymous clients on the token endpoint), ``0001-01-01`` in a datetime field
(``OverflowError``), names with bidi overrides or control characters, a lone CR in a vCard.
"""

from __future__ import annotations

import json
import time

import pytest
from django.db import connection

from agora.json_input import MAX_DEPTH, JsonTooDeep, depth_exceeds, loads_bounded
from agora.names import clean_name, normalise_name, unsafe_characters
from tests.helpers import assert_error, assert_raises_code
from tests.tenants.nominations.conftest import city_map  # noqa: F401

DEEP = "[" * 100_000 + "]" * 100_000
DEEP_OBJECT = '{"a":' * 50_000 + "1" + "}" * 50_000


# --- nested JSON -----------------------------------------------------------------------------


def test_the_depth_limit_is_exact_and_cheap():
    assert not depth_exceeds({"a": [[1, 2], {"b": "[[[[[[[[[[[["}]}, limit=3)
    assert depth_exceeds([[[[]]]], limit=3)
    assert not depth_exceeds([[[]]], limit=3)
    assert loads_bounded(json.dumps({"a": [1]})) == {"a": [1]}
    for deep in (DEEP, DEEP_OBJECT, "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)):
        with pytest.raises(JsonTooDeep):
            loads_bounded(deep)
    assert loads_bounded("[" * MAX_DEPTH + "]" * MAX_DEPTH)
    # The check costs a fraction of the parse on a large, flat body (a pre-scan cost 7x).
    big = json.dumps([{"a": "x" * 50, "b": [1, 2, 3]}] * 20_000)

    def best_of_three(function) -> float:
        times = []
        for _ in range(3):
            started = time.perf_counter()
            function(big)
            times.append(time.perf_counter() - started)
        return min(times)

    parse, bounded = best_of_three(json.loads), best_of_three(loads_bounded)
    assert bounded < 3 * parse + 0.05, (bounded, parse)  # measured: about 1.5x


@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT], ids=["arrays", "objects"])
def test_deep_json_to_the_token_endpoint_is_a_400_for_anonymous_clients(api, utrecht, body):
    response = api(None, "utrecht").generic(
        "POST", "/api/v1/auth/token/", body, content_type="application/json"
    )
    assert_error(response, "json_too_deep", 400)


def test_deep_json_to_an_api_endpoint_is_a_400(api, people):
    client = api(people.official("utrecht"), "utrecht")
    for path in ("/api/v1/signals/", "/api/v1/key-figures/", "/api/v1/council-meetings/"):
        response = client.generic("POST", path, DEEP, content_type="application/json")
        body = assert_error(response, "json_too_deep", 400)
        assert str(MAX_DEPTH) in body["detail"]
    response = client.generic("POST", "/api/v1/signals/", "{not json", content_type="application/json")
    assert_error(response, "parse_error", 400)


# --- datetimes out of range ----------------------------------------------------------------


@pytest.mark.parametrize(
    "moment", ["0001-01-01", "0001-01-01T00:00", "0001-01-01T00:00+05:00", "9999-12-31T23:59:59-05:00"]
)
def test_a_datetime_out_of_range_is_a_400_with_the_field(api, people, utrecht, moment):
    from tests.factories import CouncilFactory

    official = people.official("utrecht")
    leads = people.membership(official), people.membership(people.police("utrecht"))
    connection.set_tenant(utrecht)
    council = CouncilFactory(municipal_lead=leads[0], police_lead=leads[1])
    connection.set_schema_to_public()
    response = api(official, "utrecht").post(
        "/api/v1/council-meetings/",
        {"council": council.pk, "starts_at": moment, "place": "Buurthuis", "meal": "Soep"},
        format="json",
    )
    body = assert_error(response, "validation_failed", 400)
    assert "starts_at" in body["fields"], body


# --- names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("  Jan \r\n  van\tder   Berg ", "Jan van der Berg"),
        ("Ja\u200bn", "Jan"),  # zero-width space
        ("\ufeffFatima", "Fatima"),  # byte order mark from a CSV
        ("Mo\u00adhamed", "Mohamed"),  # soft hyphen
        ("\u200cAli\u200d", "Ali"),  # joiners not between letters
        (
            "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
            "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
        ),
        ("Zoe\u0308", "Zoë"),  # composed (NFC)
        ("Jan\rde Vries", "Jan de Vries"),  # a lone CR
    ],
)
def test_names_are_normalised(raw, stored):
    assert normalise_name(raw) == stored
    assert clean_name(raw, "first_name") == stored


@pytest.mark.parametrize(
    ("raw", "codes"),
    [
        ("Jan\u202edemahoM", ["U+202E"]),  # right-to-left override
        ("\u2066Jan\u2069", ["U+2066", "U+2069"]),  # isolates
        ("Jan\u200f", ["U+200F"]),  # right-to-left mark
        ("Jan\x00", ["U+0000"]),
        ("Jan\x1b[31m", ["U+001B"]),  # a terminal escape
        ("Jan\x7f", ["U+007F"]),
        ("Jan\x85x", []),  # NEL is whitespace: normalised to a space
        ("Jan\U000e0041", ["U+E0041"]),  # a tag character
        ("Jan\ue000", ["U+E000"]),  # private use
    ],
)
def test_bidi_and_control_characters_are_refused(raw, codes):
    assert unsafe_characters(normalise_name(raw)) == codes
    if codes:
        with assert_raises_code("name_unsafe_characters", status=400) as info:
            clean_name(raw, "last_name")
        assert info.value.fields == {"last_name": codes}


def test_the_api_refuses_and_normalises_key_figure_names(api, people):
    client = api(people.official("utrecht"), "utrecht")
    response = client.post(
        "/api/v1/key-figures/", {"first_name": "Jan", "last_name": "Berg\u202egnitsE"}, format="json"
    )
    body = assert_error(response, "name_unsafe_characters", 400)
    assert body["fields"] == {"last_name": ["U+202E"]}
    response = client.post(
        "/api/v1/key-figures/",
        {"first_name": "Ja\u200bn\r", "last_name": "van\u00a0den  Berg"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["first_name"], response.json()["last_name"]) == ("Jan", "van den Berg")
    pk = response.json()["id"]
    response = client.patch(f"/api/v1/key-figures/{pk}/", {"infix": "\u202ev"}, format="json")
    assert_error(response, "name_unsafe_characters", 400)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/communities/", {"kind": "religious", "name": "Moskee\u202eX"}),
        ("/api/v1/neighbourhoods/", {"name": "Oost\u202eX"}),
        ("/api/v1/city-districts/", {"name": "Noord\u2066X\u2069"}),
    ],
)
def test_the_map_refuses_bidi_controls_in_place_names(api, people, path, body):
    """Community, neighbourhood and city-district names reach the same screens and exports as
    people's names: the same check."""
    response = api(people.official("utrecht"), "utrecht").post(path, body, format="json")
    assert_error(response, "name_unsafe_characters", 400)


def test_a_council_name_is_checked_and_normalised(people, in_utrecht):
    from tenants.councils.actions import do_create_council
    from tenants.councils.models import Council

    official, police = people.official("utrecht"), people.police("utrecht")
    seats = {
        "municipal_lead_id": people.membership(official).pk,
        "police_lead_id": people.membership(police).pk,
        "acting_user": official,
    }
    with assert_raises_code("name_unsafe_characters", status=400):
        do_create_council(name="Overleg\u202eOost", **seats)
    assert not Council.objects.exists()
    council = do_create_council(name="Overleg\u200b  Oost", **seats)
    council = council.council if hasattr(council, "council") else council
    assert Council.objects.get(pk=council.pk).name == "Overleg Oost"


# --- imports and vCards ----------------------------------------------------------------------


def test_an_imported_row_with_a_bidi_override_is_a_row_error(city_map, people):  # noqa: F811
    """The list import uses the same check: the row is reported, the others import, names cleaned."""
    import io

    from tenants.networkmap.models import KeyFigure
    from tenants.nominations.importing import do_import_nominations
    from tests.tenants.nominations.conftest import csv_bytes, row

    report = do_import_nominations(
        io.BytesIO(csv_bytes([row("Jan", "Berg\u202eX"), row("Ans\u200b", "de\u00a0Vries")])),
        filename="lijst.csv",
        source="municipality",
        acting_user=people.official("utrecht"),
        dry_run=False,
    )
    outcomes = [r.as_dict() for r in report.rows]
    assert outcomes[0]["outcome"] == "error"
    assert outcomes[0]["codes"] == ["nomination_row_unsafe_characters"]
    assert outcomes[1]["outcome"] == "created", outcomes
    assert KeyFigure.objects.filter(first_name="Ans", last_name="Vries", infix="de").exists()
    assert not KeyFigure.objects.filter(last_name__contains="\u202e").exists()


def test_a_lone_cr_or_control_character_never_breaks_a_vcard_line():
    """Data stored before the name check: the vCard still has one line per property."""
    import vobject

    from tenants.councils.vcard import as_vcard

    card = {
        "uid": "gm_utrecht-key-figure-1",
        "given_name": "Jan\rEMAIL:evil@example.org",
        "infix": "",
        "surname": "Berg\x00\x1b",
        "side": "ally",
        "seat_label": "Bondgenoot\r\nTEL:112",
        "mobile": "+31612345678",
        "email": "jan@example.org",
        "organisation": "Utrecht\r",
    }
    text = as_vcard([card], council_name="Raad\rNOTE:x")
    lines = text.split("\r\n")
    assert all("\r" not in line and "\n" not in line for line in lines)
    assert not [line for line in lines if line.startswith(("EMAIL:evil", "TEL:112", "NOTE:x"))]
    parsed = vobject.readOne(text)
    assert parsed.fn.value.startswith("Jan\nEMAIL:evil")  # kept as text, on its own property
    assert [e.value for e in parsed.contents["email"]] == ["jan@example.org"]
