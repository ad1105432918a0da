"""Every flow of the municipal web app by keyboard only (WCAG 2.1.1, 2.4.7): Tab to a control,
Enter or Space to use it, the focus visible at every stop (``tests/browser/keyboard.py``).

Covered: logging in, key figures (create, contact moment, edit, filter), a notice issued by the
police and confirmed by an ally on a phone, a signal raised by an ally and one recorded on an
ally's behalf and answered, the council page (a topic proposed, the contact sheet), and the
selection pipeline from the list import to the decision. Each new page is screenshotted and
checked with axe on the way.
"""

from __future__ import annotations

import random
import re
import string
import uuid

import pytest

from tests.browser.conftest import DEMO_PASSWORD, check_axe, demo_code, screenshot
from tests.browser.keyboard import activate, choose, submit, tab_to, tick, type_into
from tests.browser.test_selection_pipeline import _csv

pytestmark = pytest.mark.browser

SLUG = "leusden"


def keyboard_login(page, server, username: str, slug: str = SLUG) -> None:
    page.goto(server.url(slug, "/login/"))
    type_into(page, "#id_username", username)
    type_into(page, "#id_password", DEMO_PASSWORD)
    submit(page, "main button[type=submit]")
    if "/login/verify/" in page.url:  # police: the second factor, by keyboard too
        type_into(page, "#id_otp_token", demo_code(username))
        submit(page, "main form button[type=submit]")
    assert "/login/" not in page.url


def follow(page, selector: str) -> None:
    """Tab to a link and press Enter; wait for the page it opens."""
    tab_to(page, selector)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _schema(server, slug: str = SLUG) -> str:
    return server.sql("SELECT schema_name FROM municipalities_municipality WHERE slug = %s", slug)[0][0]


def _checked(page, name: str, found: dict) -> None:
    screenshot(page, name)
    found[name] = check_axe(page)


def test_keyboard_only_key_figures_create_contact_edit_and_filter(new_context, server) -> None:
    found: dict = {}
    page = new_context().new_page()
    keyboard_login(page, server, f"ambtenaar.{SLUG}")
    follow(page, "nav a[href='/sleutelfiguren/']")
    _checked(page, "staff-key-figures", found)
    follow(page, "main a[href='/sleutelfiguren/nieuw/']")
    last = "Toetsenbord" + uuid.uuid4().hex[:6]
    type_into(page, "#id_first_name", "Yusuf")
    type_into(page, "#id_last_name", last)
    type_into(page, "#id_mobile", "06 1" + "".join(random.choices(string.digits, k=7)))
    hood = page.eval_on_selector("#id_neighbourhood", "s => s.options[1].textContent.trim()")
    choose(page, "#id_neighbourhood", hood)
    tick(page, "#id_communities_0")
    tick(page, "#id_nominated_by_municipality")
    _checked(page, "staff-key-figure-new", found)
    submit(page, "main form button[type=submit]")
    assert re.search(r"/sleutelfiguren/\d+/$", page.url), page.locator(".error").all_inner_texts()
    assert last in page.locator("h1").inner_text()

    choose(page, "#id_kind", "telefoongesprek")
    type_into(page, "#id_note", "Gebeld over de iftar in het buurthuis")
    submit(page, "form[aria-labelledby=h-new-contact] button[type=submit]")
    assert "Gebeld over de iftar" in page.locator("#contact-table").inner_text()
    _checked(page, "staff-key-figure", found)

    follow(page, "main a[href$='/wijzigen/']")
    type_into(page, "#id_represents", "Moskeebestuur")
    _checked(page, "staff-key-figure-edit", found)
    submit(page, "main form button[type=submit]")
    assert "Moskeebestuur" in page.locator("main").inner_text()

    follow(page, "main a[href='/sleutelfiguren/']")
    choose(page, "#f-neighbourhood", hood)
    submit(page, ".filters button[type=submit]")
    assert "neighbourhood=" in page.url
    rows = page.locator("#key-figure-table tbody tr")
    assert rows.filter(has_text=last).count() == 1
    assert all(hood in row.inner_text() for row in rows.all())
    assert {name: v for name, v in found.items() if v} == {}


def test_keyboard_only_a_notice_is_issued_and_an_ally_on_a_phone_confirms_it(new_context, server) -> None:
    schema = _schema(server)
    council = server.sql(
        f"""SELECT c.name FROM "{schema}".councils_council c
            JOIN "{schema}".councils_councilmember m ON m.council_id = c.id AND m.left_on IS NULL
            JOIN "{schema}".networkmap_keyfigure k ON k.id = m.key_figure_id
            JOIN public.accounts_user u ON u.id = k.user_id
            WHERE u.username = %s ORDER BY c.id LIMIT 1""",
        f"bondgenoot1.{SLUG}",
    )[0][0]
    found: dict = {}
    police = new_context().new_page()
    keyboard_login(police, server, f"wijkagent.{SLUG}")
    follow(police, "nav a[href='/meldingen/']")
    _checked(police, "staff-notices", found)
    follow(police, "main a[href='/meldingen/nieuw/']")
    title = f"Controle bij de markt {uuid.uuid4().hex[:5]}"
    type_into(police, "#id_title", title)
    type_into(police, "#id_description", "Zaterdagochtend; vertel het gerust door.")
    police.fill("#id_planned_start", "2030-06-01T09:00")  # the browser's own date widget
    choose(police, "#id_visibility", "gedeeld")
    choose(police, "#id_council", council)
    _checked(police, "staff-notice-new", found)
    submit(police, "main form button[type=submit]")
    assert re.search(r"/meldingen/\d+/$", police.url), police.locator(".error").all_inner_texts()
    notice_id = police.url.rstrip("/").rsplit("/", 1)[1]
    assert police.locator("#receipt-count").inner_text().startswith("0 van ")
    _checked(police, "staff-notice", found)

    ally = new_context(phone=True).new_page()
    keyboard_login(ally, server, f"bondgenoot1.{SLUG}")
    submit(ally, f"form[action='/mijn/berichten/{notice_id}/gelezen/'] button[type=submit]")
    assert "u heeft bevestigd" in ally.locator(".messages").inner_text().lower()

    police.reload()
    assert police.locator("#receipt-count").inner_text().startswith("1 van ")
    rows = police.locator("#receipt-table tbody tr").all()
    read = [row.locator("td").nth(2).inner_text() for row in rows]
    # Unconfirmed first (whom to call): the one confirmation is the last row.
    assert read[-1] != "nog niet gelezen" and read.count("nog niet gelezen") == len(read) - 1
    assert {name: v for name, v in found.items() if v} == {}


def test_keyboard_only_signals_raised_by_an_ally_and_on_an_allys_behalf(new_context, server) -> None:
    schema = _schema(server)
    (ally_name,) = server.sql(
        f"""SELECT concat_ws(' ', k.first_name, nullif(k.infix, ''), k.last_name)
            FROM "{schema}".networkmap_keyfigure k JOIN public.accounts_user u ON u.id = k.user_id
            WHERE u.username = %s""",
        f"bondgenoot1.{SLUG}",
    )[0]
    ally = new_context(phone=True).new_page()
    keyboard_login(ally, server, f"bondgenoot1.{SLUG}")
    follow(ally, "main a[href='/mijn/signalen/']")
    choose(ally, "#id_category", "illegale dumping")
    hood = ally.eval_on_selector("#id_neighbourhood", "s => s.options[1].textContent.trim()")
    choose(ally, "#id_neighbourhood", hood)
    own = f"Grofvuil bij de flat {uuid.uuid4().hex[:5]}"
    type_into(ally, "#id_description", own)
    submit(ally, "main form button[type=submit]")
    assert re.search(r"/mijn/signalen/\d+/$", ally.url) and own in ally.locator("main").inner_text()

    found: dict = {}
    official = new_context().new_page()
    keyboard_login(official, server, f"ambtenaar.{SLUG}")
    follow(official, "nav a[href='/signalen/']")
    follow(official, "main a[href='/signalen/nieuw/']")
    choose(official, "#id_ally", ally_name)
    choose(official, "#id_category", "pesten")
    choose(official, "#id_neighbourhood", hood)
    phoned = f"Belde: jongeren gepest bij de bushalte {uuid.uuid4().hex[:5]}"
    type_into(official, "#id_description", phoned)
    _checked(official, "staff-signal-new", found)
    submit(official, "main form button[type=submit]")
    assert re.search(r"/signalen/\d+/$", official.url), official.locator(".error").all_inner_texts()
    signal_id = official.url.rstrip("/").rsplit("/", 1)[1]
    submit(official, "form:has(#id_owner) button[type=submit]")  # an owner first, then the answer
    answer = f"De wijkagent gaat er morgen langs {uuid.uuid4().hex[:5]}."
    type_into(official, "#id_body", answer)
    submit(official, "form:has(#id_body) button[type=submit]")
    assert answer in official.locator("#answers").inner_text()

    ally.goto(server.url(SLUG, "/mijn/signalen/"))
    follow(ally, f"main a[href='/mijn/signalen/{signal_id}/']")  # theirs, recorded by the official
    assert phoned in ally.locator("main").inner_text() and answer in ally.locator("#answers").inner_text()
    assert {name: v for name, v in found.items() if v} == {}


def test_keyboard_only_the_council_page(new_context, server) -> None:
    page = new_context().new_page()
    keyboard_login(page, server, "ambtenaar.amersfoort", "amersfoort")
    follow(page, "nav a[href='/overleggen/']")
    follow(page, "main table a[href^='/overleggen/']")
    council_url = page.url
    activate(page, "details:has(input[name=do][value=agenda]) > summary")  # Enter opens it
    topic = f"Hangjongeren bij het winkelcentrum {uuid.uuid4().hex[:5]}"
    type_into(page, "#id_agenda-title", topic)
    type_into(page, "#id_agenda-description", "Graag met de wijkagent erbij.")
    submit(page, "form:has(input[name=do][value=agenda]) button[type=submit]")
    assert page.url == council_url and topic in page.locator("#h-agenda + ul").inner_text()
    tab_to(page, "a[download][href$='.vcf']")  # the contact sheet is reachable too
    follow(page, "main a[href^='/meldingen/nieuw/?overleg=']")  # and a notice to this council
    assert page.locator("#id_council option:checked").inner_text() in page.content()


def test_keyboard_only_the_pipeline_from_nomination_to_ally(new_context, server, tmp_path) -> None:
    schema = _schema(server)
    (wijk,) = server.sql(f'SELECT name FROM "{schema}".networkmap_neighbourhood ORDER BY id LIMIT 1')[0]
    (community,) = server.sql(f'SELECT name FROM "{schema}".networkmap_community ORDER BY id LIMIT 1')[0]
    last = "Tab" + "".join(random.choices(string.ascii_lowercase, k=8))
    mobiles = ["+3162" + "".join(random.choices(string.digits, k=7)) for _ in range(2)]
    lists = {
        "municipality": _csv(tmp_path, "gemeente.csv", "Noor", last, mobiles[0], wijk, community),
        "police": _csv(tmp_path, "politie.csv", "Noor", last + "e", mobiles[1], wijk, community),
    }
    official = new_context().new_page()
    keyboard_login(official, server, f"ambtenaar.{SLUG}")
    follow(official, "nav a[href='/selectie/']")

    def import_list(source: str, label: str, *, dry_run: bool) -> str:
        choose(official, "#id_source", label)
        tab_to(official, "#id_file")
        # The file input is reached by Tab; what a space opens is the browser's own
        # dialog, which headless Chromium under load does not always raise within the
        # wait (two CI runs timed out). The page's part is the focusable input, so the
        # file goes into the focused input directly.
        official.locator("#id_file:focus").set_input_files(str(lists[source]))
        tab_to(official, "#id_dry_run")
        if official.is_checked("#id_dry_run") != dry_run:
            official.keyboard.press(" ")
        tab_to(official, "form[hx-post] button[type=submit]")
        with official.expect_response(lambda r: r.request.method == "POST"):
            official.keyboard.press("Enter")
        official.wait_for_selector("#import-report")
        assert official.locator(".message.error").count() == 0
        return official.locator("#import-report").inner_text()

    assert "Voorbeeld" in import_list("municipality", "gemeente", dry_run=True)
    import_list("municipality", "gemeente", dry_run=False)
    import_list("police", "politie", dry_run=False)
    (police_id,) = server.sql(
        f'SELECT id FROM "{schema}".networkmap_keyfigure WHERE last_name = %s', last + "e"
    )[0]
    submit(
        official, f"form.pair:has(input[name=police_key_figure][value='{police_id}']) button[value=confirm]"
    )
    assert "Bevestigd" in official.locator(".messages").inner_text()
    (kept,) = server.sql(  # the merge keeps one record of the two
        f'SELECT id FROM "{schema}".networkmap_keyfigure WHERE last_name IN (%s, %s)', last, last + "e"
    )[0]
    submit(official, f"form:has(input[name=key_figure][value='{kept}']) button[value=open]")
    (case_id,) = server.sql(
        f'SELECT id FROM "{schema}".selection_selectioncase WHERE key_figure_id = %s', kept
    )[0]
    follow(official, f"main table a[href='/selectie/{case_id}/']")

    def step(page, name: str) -> None:
        submit(page, f"section:has(input[name=step][value={name}]) button[type=submit]")
        assert page.locator(".message.error").count() == 0, page.locator(".messages").inner_text()

    step(official, "start_review")
    step(official, "approve")
    police = new_context().new_page()
    keyboard_login(police, server, f"wijkagent.{SLUG}")
    follow(police, "nav a[href='/selectie/']")
    follow(police, f"main table a[href='/selectie/{case_id}/']")
    step(police, "approve")
    assert police.locator("#case-state").inner_text() == "huisbezoek"

    official.reload()
    visit = "section:has(input[name=step][value=record_home_visit])"
    official.fill(f"{visit} input[type=date]", "2026-11-20")  # the browser's own date widget
    tab_to(official, f"{visit} select[multiple]")
    official.keyboard.press("ArrowDown")  # the first visitor
    questions = official.locator(f"{visit} fieldset").count()
    assert questions == 4
    for _ in range(questions):
        tick(official, f"{visit} input[type=radio][value=yes]:not(:checked)")
    step(official, "record_home_visit")
    tick(official, "section:has(input[name=step][value=decide]) input[type=radio][value=ally]")
    type_into(official, "section:has(input[name=step][value=decide]) textarea", "Verbindend en betrokken.")
    step(official, "decide")
    assert official.locator("#case-state").inner_text() == "bondgenoot"
