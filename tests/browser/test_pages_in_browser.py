"""The municipal web app in a real browser (chromium) against ``agora demo`` on PostgreSQL."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.browser.conftest import check_axe, log_in, screenshot

pytestmark = pytest.mark.browser

SLUG = "leusden"
OFFICIAL = f"ambtenaar.{SLUG}"
ALLY = f"bondgenoot1.{SLUG}"

STAFF_PAGES = {
    "dashboard": "/dashboard/",
    "network": "/netwerk/",
    "councils": "/overleggen/",
    "signals": "/signalen/",
}
ALLY_PAGES = {"portal": "/mijn/", "portal-signals": "/mijn/signalen/"}


def test_every_main_page_has_no_serious_axe_violation_and_a_screenshot(new_context, server) -> None:
    staff = new_context().new_page()
    log_in(staff, server, OFFICIAL, SLUG)
    staff.goto(server.url(SLUG, "/overleggen/"))
    first_council = staff.locator("main table a").first.get_attribute("href")
    pages = {**STAFF_PAGES, "council": first_council}
    found = {}
    for name, path in pages.items():
        staff.goto(server.url(SLUG, path))
        assert staff.locator("html").get_attribute("lang") == "nl"
        screenshot(staff, f"staff-{name}")
        found[name] = check_axe(staff)
    ally = new_context(phone=True).new_page()
    log_in(ally, server, ALLY, SLUG)
    for name, path in ALLY_PAGES.items():
        ally.goto(server.url(SLUG, path))
        screenshot(ally, f"ally-{name}")
        found[name] = check_axe(ally)
    public = new_context().new_page()
    public.goto(server.url("", "/login/"))
    screenshot(public, "public-login")
    found["login"] = check_axe(public)
    assert {name: v for name, v in found.items() if v} == {}


def test_the_graph_draws_every_key_figure_and_the_table_lists_the_same(new_context, server) -> None:
    (schema,) = server.sql("SELECT schema_name FROM municipalities_municipality WHERE slug = %s", SLUG)[0]
    in_a_community = {
        row[0]
        for row in server.sql(
            f'SELECT DISTINCT keyfigure_id FROM "{schema}".networkmap_keyfigure_communities'
        )
    }
    everyone = {row[0] for row in server.sql(f'SELECT id FROM "{schema}".networkmap_keyfigure')}
    assert everyone and everyone == in_a_community  # the demo map puts everybody in a community
    page = new_context().new_page()
    log_in(page, server, OFFICIAL, SLUG)
    page.goto(server.url(SLUG, "/netwerk/"))
    page.wait_for_function("() => document.getElementById('network-graph').dataset.rendered")
    drawn = page.evaluate(
        "() => window.agoraNetworkGraph.nodes().filter(n => ['ally', 'key_figure'].includes(n.data('kind')))"
        ".map(n => Number(n.id().slice(1)))"
    )
    assert set(drawn) == everyone and len(drawn) == len(everyone)
    listed = page.eval_on_selector_all(
        "#network-table tbody tr", "rows => rows.map(r => Number(r.dataset.keyFigure))"
    )
    assert set(listed) == everyone
    assert page.locator("canvas").count() > 0  # cytoscape drew on its canvases
    # The filter narrows graph and table alike (htmx swaps both, the graph is redrawn).
    page.select_option("#f-neighbourhood", index=1)
    page.wait_for_url(re.compile(r"neighbourhood=\d+"))
    page.wait_for_function(
        "() => Number(document.getElementById('network-graph').dataset.rendered) "
        "== Number(document.getElementById('network-graph').dataset.nodeCount)"
    )
    narrowed = page.eval_on_selector_all("#network-table tbody tr", "rows => rows.length")
    assert 0 < narrowed < len(listed)
    screenshot(page, "staff-network-filtered")


def test_an_ally_on_a_phone_raises_a_signal_and_sees_the_answer(new_context, server) -> None:
    ally = new_context(phone=True).new_page()
    log_in(ally, server, ALLY, SLUG)
    # Tap to call: their council's neighbourhood police officer and municipality (Membership.mobile).
    for label in ("Bel de wijkagent", "Bel de gemeente"):
        assert re.fullmatch(
            r"tel:\+316\d{8}", ally.locator("a.call", has_text=label).first.get_attribute("href")
        )
    # Anyone proposes a topic for the agenda, allies too.
    topic = f"Speelplek bij de school {uuid.uuid4().hex[:5]}"
    ally.click("text=Onderwerp voorstellen")
    ally.locator("input[name$=-title]").first.fill(topic)
    ally.locator("form:has(input[value=agenda]) button[type=submit]").first.click()
    ally.wait_for_load_state()
    assert "Uw onderwerp staat op de lijst." in ally.locator(".messages").inner_text()
    ally.goto(server.url(SLUG, "/mijn/signalen/"))
    text = f"Afval bij de speeltuin {uuid.uuid4().hex[:6]}"
    ally.select_option("#id_category", "illegal_dumping")
    ally.select_option("#id_neighbourhood", index=1)
    ally.fill("#id_description", text)
    ally.click("text=Signaal versturen")
    ally.wait_for_url(re.compile(r"/mijn/signalen/\d+/$"))
    signal_id = ally.url.rstrip("/").rsplit("/", 1)[1]
    assert text in ally.content()

    official = new_context().new_page()
    log_in(official, server, OFFICIAL, SLUG)
    official.goto(server.url(SLUG, f"/signalen/{signal_id}/"))
    official.click("text=Toewijzen")  # a new signal gets an owner first (the workflow's rule)
    official.wait_for_url(re.compile(rf"/signalen/{signal_id}/$"))
    answer = f"We komen morgen kijken {uuid.uuid4().hex[:6]}."
    official.fill("#id_body", answer)
    official.click("text=Antwoord versturen")
    official.wait_for_url(re.compile(rf"/signalen/{signal_id}/$"))
    assert official.locator(".message.error").count() == 0, official.locator(".messages").inner_text()
    assert answer in official.locator("#answers").inner_text()

    ally.reload()
    assert answer in ally.locator("#answers").inner_text()
    screenshot(ally, "ally-signal-answered")


def test_the_language_switch_is_remembered(new_context, server) -> None:
    page = new_context().new_page()
    log_in(page, server, OFFICIAL, SLUG)
    page.goto(server.url(SLUG, "/dashboard/"))
    assert page.locator("h1").inner_text() == "Overzicht"
    page.select_option("#language-choice", "en")
    page.click("form.language button")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    page.goto(server.url(SLUG, "/signalen/"))
    assert page.locator("h1").inner_text() == "Signals"
    assert page.locator(".skip").inner_text() == "Skip to content"


def test_keyboard_only_an_ally_reaches_the_signal_form(new_context, server) -> None:
    page = new_context(phone=True).new_page()
    log_in(page, server, ALLY, SLUG)
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.className")
    assert focused == "skip"  # the first Tab lands on the skip link, visibly
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.textContent.trim()") == "Signaal doorgeven":
            break
    else:
        pytest.fail("the signal link is not reachable by keyboard")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/mijn/signalen/$"))
    page.keyboard.press("Tab")  # skip link
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == "id_category":
            break
    else:
        pytest.fail("the signal form is not reachable by keyboard")
