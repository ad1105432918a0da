"""One login across hosts, in the browser: log in on the public host, open two municipalities."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.browser

OFFICER = "wijkagent.leusden"


def test_log_in_once_on_the_public_host_and_open_two_municipalities(new_context, server) -> None:
    # The officer serves Leusden and Soest: give the demo's Leusden officer Soest too.
    server.sql(
        """INSERT INTO accounts_membership
               (role, title, is_active, created_at, municipality_id, user_id, mobile)
           SELECT 'police', 'wijkagent', true, now(), m.id, u.id, ''
           FROM municipalities_municipality m, accounts_user u
           WHERE m.slug = 'soest' AND u.username = %s
           ON CONFLICT (user_id, municipality_id) DO NOTHING RETURNING id""",
        OFFICER,
    )
    page = new_context().new_page()
    log_in(page, server, OFFICER)
    assert page.url == server.url("", "/")
    screenshot(page, "public-home")
    for name, slug in (("Leusden", "leusden"), ("Soest", "soest")):
        page.goto(server.url("", "/"))
        page.click(f"main a:text-is('{name}')")
        page.wait_for_url(re.compile(rf"^http://{slug}\.localhost:{server.port}/$"))
        assert page.locator("h1").inner_text() == "Overzicht"
        assert page.locator("input#id_password").count() == 0  # no second login form
    # A's session does not open C, where the officer is no member.
    page.goto(server.url("", "/hand-off/utrecht/"))
    assert page.locator("h1").inner_text() == "Geen toegang"
    page.goto(server.url("utrecht", "/dashboard/"))
    assert "/login/" in page.url
