"""The crisis room in a real browser (issue 10.7): an official declares through the dashboard, two
allies answer with one tap from two other browser contexts (one a phone) and see each other's
messages live; one context's network is cut while the others post, and after it comes back its
log holds every entry exactly once, in seq order; the room by keyboard; axe on every page."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.browser.conftest import check_axe, log_in, screenshot

pytestmark = pytest.mark.browser

SLUG = "utrecht"
SCHEMA = "gm_utrecht"
OFFICIAL = f"ambtenaar.{SLUG}"
WAIT = 20_000  # ms: a live entry or a reconnect on a loaded 2-core machine


def _council_with_two_ally_logins(server) -> tuple[int, list[str]]:
    """A demo council on which both ally logins sit (so both are convened)."""
    rows = server.sql(
        f"""
        SELECT m.council_id, array_agg(u.username ORDER BY u.username)
        FROM {SCHEMA}.councils_councilmember m
        JOIN {SCHEMA}.networkmap_keyfigure k ON k.id = m.key_figure_id AND k.is_ally
        JOIN public.accounts_user u ON u.id = k.user_id
        WHERE m.left_on IS NULL AND u.username LIKE 'bondgenoot%%'
        GROUP BY m.council_id HAVING count(*) >= 2 ORDER BY m.council_id
        """
    )
    assert rows, "the demo has no council with two ally logins"
    council_id, usernames = rows[0]
    return council_id, list(usernames)[:2]


def _stored_seqs(server, crisis_id: int) -> list[int]:
    return [
        row[0]
        for row in server.sql(
            f"SELECT seq FROM {SCHEMA}.crises_crisisevent WHERE crisis_id = %s ORDER BY seq", crisis_id
        )
    ]


def _log_seqs(page) -> list[int]:
    return page.eval_on_selector_all("#log li[data-seq]", "items => items.map(li => Number(li.dataset.seq))")


def _live(page) -> None:
    page.wait_for_selector("#connection[data-state=connected]", timeout=WAIT)


def _post(page, text: str) -> None:
    page.fill("#post-body", text)
    page.click("#post-form button[type=submit]")


def _sees(page, text: str) -> None:
    page.locator("#log li[data-seq]", has_text=text).first.wait_for(timeout=WAIT)


def _answer(context, server, username: str, crisis_id: int, answer: str, eta: str = "") -> object:
    page = context.new_page()
    log_in(page, server, username, SLUG)
    page.goto(server.url(SLUG, f"/crises/{crisis_id}/"))  # the link of the call
    assert page.locator("button[name=answer]").count() == 3
    return page


def test_declare_answer_talk_and_survive_a_network_cut(new_context, server) -> None:
    council_id, (ally1, ally2) = _council_with_two_ally_logins(server)

    # The official declares a crisis from the dashboard's form.
    official = new_context().new_page()
    log_in(official, server, OFFICIAL, SLUG)
    official.goto(server.url(SLUG, "/dashboard/"))
    official.click("text=Crisis uitroepen")
    title = f"Brand in flat {uuid.uuid4().hex[:6]}"
    official.fill("#id_crisis-title", title)
    official.select_option("#id_crisis-kind", "incident")
    official.check(f"input[name=crisis-council_ids][value='{council_id}']")
    official.click("#declare-form button[type=submit]")
    official.wait_for_url(re.compile(r"/crises/\d+/\?room=1"))
    crisis_id = int(re.search(r"/crises/(\d+)/", official.url).group(1))
    assert title in official.locator("h1").inner_text()
    _live(official)
    screenshot(official, "crisis-room-official")
    assert check_axe(official) == []

    # Two allies open the link of their call and answer with one tap; one of them on a phone.
    phone = new_context(phone=True)
    first = _answer(phone, server, ally1, crisis_id, "coming")
    screenshot(first, "crisis-answer-phone")
    assert check_axe(first) == []
    first.fill("#eta", "10")
    first.click("button[name=answer][value=coming]")
    first.wait_for_url(re.compile(rf"/crises/{crisis_id}/\?room=1"))
    second = _answer(new_context(), server, ally2, crisis_id, "remote")
    second.click("button[name=answer][value=remote]")
    second.wait_for_url(re.compile(rf"/crises/{crisis_id}/\?room=1"))
    _live(first)
    _live(second)
    # The official's roll-call follows live (the status column re-reads itself after the answers).
    official.locator("#rollcall .answer", has_text="komt").first.wait_for(timeout=WAIT)
    screenshot(first, "crisis-room-phone")
    assert check_axe(first) == []
    viewport_width = first.evaluate("document.documentElement.scrollWidth")
    assert viewport_width <= 390, f"the room scrolls sideways on a phone ({viewport_width}px)"

    # They see each other's messages live.
    _post(first, "Ik ben er over tien minuten, bij de achteringang.")
    _sees(second, "bij de achteringang")
    _post(second, "Ik volg het vanuit huis en bel de buren.")
    _sees(first, "bel de buren")
    _sees(official, "bel de buren")

    # The second ally's network is cut; the others post meanwhile, and the ally posts too.
    second.context.set_offline(True)
    second.wait_for_selector("#connection[data-state=offline]", timeout=WAIT)
    missed = [f"Gemist bericht {n} {uuid.uuid4().hex[:4]}" for n in range(5)]
    for text in missed[:3]:
        _post(official, text)
    for text in missed[3:]:
        _post(first, text)
    _sees(first, missed[2])
    _sees(official, missed[4])
    offline_text = f"Verstuurd zonder netwerk {uuid.uuid4().hex[:4]}"
    _post(second, offline_text)
    second.locator("#log li[data-pending]", has_text=offline_text).wait_for(timeout=WAIT)
    assert second.locator("#log li[data-seq]", has_text=missed[0]).count() == 0  # really cut off

    # Back online: the client reconnects, resumes by seq and sends its outbox once.
    second.context.set_offline(False)
    _live(second)
    _sees(second, offline_text)
    _sees(first, offline_text)
    stored = _stored_seqs(server, crisis_id)
    second.wait_for_function(
        "n => document.querySelectorAll('#log li[data-seq]').length >= n", arg=len(stored), timeout=WAIT
    )
    for page in (second, first, official):
        page.wait_for_function(
            "n => Number(document.getElementById('log').dataset.lastSeq) >= n", arg=stored[-1], timeout=WAIT
        )
        seqs = _log_seqs(page)
        stored = _stored_seqs(server, crisis_id)
        assert seqs == stored[: len(seqs)] and seqs == list(range(1, len(seqs) + 1)), (
            seqs
        )  # none lost, none twice
        assert page.locator("#log li[data-pending]").count() == 0
        for text in [*missed, offline_text]:
            assert page.locator("#log li", has_text=text).count() == 1, (text, page.url)
    # The offline post is stored once, however often the outbox was sent.
    assert server.sql(
        f"SELECT count(*) FROM {SCHEMA}.crises_crisisevent WHERE crisis_id = %s AND payload->>'body' = %s",
        crisis_id,
        offline_text,
    ) == [(1,)]
    screenshot(second, "crisis-room-after-network-cut")


def test_the_room_by_keyboard(new_context, server) -> None:
    """Tab to the message field, type, Ctrl+Enter posts; the post is announced in the log region."""
    page = new_context().new_page()
    log_in(page, server, OFFICIAL, SLUG)
    open_room = server.sql(
        f"SELECT id FROM {SCHEMA}.crises_crisis WHERE status = 'open' AND NOT is_drill ORDER BY id LIMIT 1"
    )
    page.goto(server.url(SLUG, f"/crises/{open_room[0][0]}/?room=1"))
    _live(page)
    assert page.locator("#log-region").get_attribute("role") == "log"
    assert page.locator("#log-region").get_attribute("aria-live") == "polite"
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "post-body":
            break
    else:
        pytest.fail("the message field cannot be reached with Tab")
    text = f"Met het toetsenbord {uuid.uuid4().hex[:4]}"
    page.keyboard.type(text)
    page.keyboard.press("Control+Enter")
    _sees(page, text)
    assert page.evaluate("document.activeElement.id") == "post-body"  # focus stays for the next message
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "post-kind"
    screenshot(page, "crisis-room-keyboard")
    assert check_axe(page) == []
