"""From nomination to ally through the forms only: both lists imported (preview first), the match
confirmed, the joint review approved by both sides (four eyes), the home visit with its four
questions, the decision; the new ally then shows on the network map."""

from __future__ import annotations

import random
import re
import string

import pytest

from tests.browser.conftest import check_axe, log_in, screenshot

pytestmark = pytest.mark.browser

SLUG = "leusden"


def _csv(tmp_path, name: str, first: str, last: str, mobile: str, wijk: str, community: str):
    path = tmp_path / name
    path.write_text(
        "Voornaam;Tussenvoegsel;Achternaam;Mobiel;E-mail;Wijk;Gemeenschap\r\n"
        f"{first};;{last};{mobile};;{wijk};{community}\r\n",
        encoding="utf-8",
    )
    return path


def _import(page, server, path, source: str, *, dry_run: bool) -> str:
    page.goto(server.url(SLUG, "/selectie/"))
    page.select_option("#id_source", source)
    page.set_input_files("#id_file", str(path))
    if page.is_checked("#id_dry_run") != dry_run:
        page.click("#id_dry_run")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.click("main button:text-is('Importeren')")
    assert posted.value.status == 200, posted.value.text()[-2000:]
    page.wait_for_selector("#import-report, .message.error")
    assert page.locator(".message.error").count() == 0, page.locator(".messages").inner_text()
    return page.locator("#import-report").inner_text()


def _step(page, name: str, fill=None) -> None:
    section = page.locator(f"section:has(input[name=step][value={name}])")
    if fill:
        fill(section)
    section.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".message.error").count() == 0, page.locator(".messages").inner_text()


def test_the_pipeline_from_nomination_to_ally_through_the_forms(new_context, server, tmp_path) -> None:
    (schema,) = server.sql("SELECT schema_name FROM municipalities_municipality WHERE slug = %s", SLUG)[0]
    (wijk,) = server.sql(f'SELECT name FROM "{schema}".networkmap_neighbourhood ORDER BY id LIMIT 1')[0]
    (community,) = server.sql(f'SELECT name FROM "{schema}".networkmap_community ORDER BY id LIMIT 1')[0]
    last = "Van" + "".join(random.choices(string.ascii_lowercase, k=8))
    mobiles = ["+3161" + "".join(random.choices(string.digits, k=7)) for _ in range(2)]
    municipality_list = _csv(tmp_path, "gemeente.csv", "Fatima", last, mobiles[0], wijk, community)
    # A spelling variant with another number: not recognised on import, a doubtful pair to confirm.
    police_list = _csv(tmp_path, "politie.csv", "Fatima", last + "e", mobiles[1], wijk, community)

    official = new_context().new_page()
    log_in(official, server, f"ambtenaar.{SLUG}", SLUG)
    preview = _import(official, server, municipality_list, "municipality", dry_run=True)
    assert "Voorbeeld" in preview and last not in official.locator("#h-lists + .cards").inner_text()
    _import(official, server, municipality_list, "municipality", dry_run=False)
    _import(official, server, police_list, "police", dry_run=False)
    screenshot(official, "staff-selection")
    assert check_axe(official) == []

    pair = official.locator("form.pair", has_text=last + "e")
    pair.locator("button[value=confirm]").click()
    official.wait_for_load_state()
    official.locator("li", has_text=f"Fatima {last}").locator("button[value=open]").first.click()
    official.wait_for_load_state()
    official.click(f"main table a:text-is('Fatima {last}')")
    official.wait_for_url(re.compile(r"/selectie/\d+/$"))
    case_url = official.url

    _step(official, "start_review")
    _step(official, "approve")
    assert (
        official.locator("#case-state").inner_text() == "gezamenlijke beoordeling"
    )  # one side is not enough

    police = new_context().new_page()
    log_in(police, server, f"wijkagent.{SLUG}", SLUG)
    police.goto(case_url)
    _step(police, "approve")
    assert police.locator("#case-state").inner_text() == "huisbezoek"

    def visit(section) -> None:
        section.locator("input[type=date]").fill("2026-11-20")
        section.locator("select[multiple]").select_option(index=0)
        for radio in section.locator("input[type=radio][value=yes]").all():
            radio.check()

    official.goto(case_url)
    _step(official, "record_home_visit", visit)
    screenshot(official, "staff-case-home-visit")
    assert check_axe(official) == []

    def decide(section) -> None:
        section.locator("input[type=radio][value=ally]").check()
        section.locator("textarea").fill("Verbindend, kent de buurt, wil helpen.")

    _step(official, "decide", decide)
    assert official.locator("#case-state").inner_text() == "bondgenoot"

    official.goto(server.url(SLUG, "/netwerk/"))
    row = official.locator("#network-table tbody tr", has_text=f"Fatima {last}").first
    assert row.locator("td").nth(1).inner_text() == "ja"
