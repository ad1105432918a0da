"""A council through its page: the mayor as municipal lead needs the acknowledgement, a meeting is
planned with its meal, attendance recorded, a topic proposed."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.browser.conftest import check_axe, log_in, screenshot

pytestmark = pytest.mark.browser

SLUG = "soest"


def test_council_composition_meetings_and_agenda_through_the_forms(new_context, server) -> None:
    page = new_context().new_page()
    log_in(page, server, f"ambtenaar.{SLUG}", SLUG)
    page.goto(server.url(SLUG, "/overleggen/"))
    page.locator("main table a").first.click()
    page.wait_for_url(re.compile(r"/overleggen/\d+/$"))
    council_url = page.url

    # The mayor as municipal lead: refused until the warning is read and acknowledged.
    page.click("text=Trekkers en plaatsvervangers wijzigen")
    mayor = page.locator("#id_leads-municipal_lead option", has_text="burgemeester").get_attribute("value")
    page.select_option("#id_leads-municipal_lead", mayor)
    page.locator("form:has(input[value=leads]) button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("[role=alert]", has_text="burgemeester").count() == 1
    page.check("input[name=leads-acknowledge]")
    page.locator("form:has(input[value=leads]) button[type=submit]").click()
    page.wait_for_url(council_url)
    assert "De trekkers zijn vastgelegd." in page.locator(".messages").inner_text()

    # A meeting without a meal is refused by the action; with one it is planned.
    place = f"Buurthuis {uuid.uuid4().hex[:5]}"
    page.click("text=Bijeenkomst plannen")
    page.fill("#id_meeting-starts_at", "2027-01-14T18:00")
    page.fill("#id_meeting-place", place)
    page.locator("form:has(input[value=meeting]) button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".message.error").count() == 1
    page.click("text=Bijeenkomst plannen")
    page.fill("#id_meeting-starts_at", "2027-01-14T18:00")
    page.fill("#id_meeting-place", place)
    page.fill("#id_meeting-meal", "Soep en brood, Fatma kookt")
    page.locator("form:has(input[value=meeting]) button[type=submit]").click()
    page.wait_for_url(council_url)
    assert place in page.locator("main").inner_text()

    attendance = page.locator("form:has(input[value=attendance])", has_text="14 januari 2027")
    attendance.locator("input[name=present]").first.check()
    attendance.locator("button[type=submit]").click()
    page.wait_for_url(council_url)
    assert "Aanwezigheid vastgelegd." in page.locator(".messages").inner_text()

    topic = f"Verlichting bij het station {uuid.uuid4().hex[:5]}"
    page.click("text=Onderwerp voorstellen")
    page.fill("#id_agenda-title", topic)
    page.locator("form:has(input[value=agenda]) button[type=submit]").click()
    page.wait_for_url(council_url)
    assert topic in page.locator("main").inner_text()
    screenshot(page, "staff-council-after-forms")
    assert check_axe(page) == []
