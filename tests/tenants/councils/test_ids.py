"""Council ids in bodies and filters are ASCII digits (agora.ids): other scripts' digits are no id."""

from __future__ import annotations

import pytest

from tests.helpers import assert_error

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("digit", ["\u0661", "\uff11"])  # Arabic-Indic and full-width "1"
def test_other_scripts_digits_are_no_council_ids(make_council, staff, api, digit):
    council = make_council(allies=4)
    assert council.pk >= 1
    client = api(staff.official)
    body = {"council": digit, "starts_at": "2027-03-01T19:00:00", "place": "Buurthuis", "meal": "soep"}
    assert_error(client.post("/api/v1/council-meetings/", body, format="json"), "validation_failed", 400)
    response = client.get("/api/v1/council-meetings/", {"council": digit})
    assert_error(response, "validation_failed", 400)
    leads = {"name": "X", "municipal_lead": digit, "police_lead": digit}
    assert_error(client.post("/api/v1/councils/", leads, format="json"), "validation_failed", 400)
    seats = {"key_figures": [digit + "0"]}
    assert_error(
        client.post(f"/api/v1/councils/{council.pk}/members/", seats, format="json"), "validation_failed"
    )
