"""The municipal pages (server side): who sees which page, errors in the user's language, headers."""

from __future__ import annotations

import pytest

from frontend.security import CONTENT_SECURITY_POLICY

STAFF_PAGES = [
    "/",
    "/dashboard/",
    "/netwerk/",
    "/netwerk/?view=table",
    "/overleggen/",
    "/signalen/",
    "/selectie/",
    "/sleutelfiguren/",
    "/sleutelfiguren/nieuw/",
    "/meldingen/",
    "/meldingen/nieuw/",
    "/signalen/nieuw/",
]
ALLY_PAGES = ["/", "/mijn/", "/mijn/signalen/"]


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_staff_pages_render_in_dutch_with_the_security_headers(web, people, path) -> None:
    response = web(people.official("utrecht"), "utrecht").get(path)
    assert response.status_code == 200
    assert '<html lang="nl">' in response.content.decode()
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY.split("script-src")[1].split(";")[0]
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("path", STAFF_PAGES[1:])
def test_an_ally_gets_the_platform_403_on_staff_pages(web, people, path) -> None:
    response = web(people.ally("utrecht"), "utrecht").get(path)
    assert response.status_code == 403
    assert "Geen toegang" in response.content.decode()


@pytest.mark.parametrize("path", ALLY_PAGES[1:])
def test_staff_are_refused_the_ally_portal(web, people, path) -> None:
    assert web(people.official("utrecht"), "utrecht").get(path).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login(web, utrecht) -> None:
    response = web(None, "utrecht").get("/dashboard/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_404_is_the_platforms_own_in_the_users_language(web, people) -> None:
    client = web(people.official("utrecht"), "utrecht")
    dutch = client.get("/bestaat-niet/")
    assert dutch.status_code == 404 and "Pagina niet gevonden" in dutch.content.decode()
    english = client.get("/nope/", HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="en">' in english.content.decode() and "Page not found" in english.content.decode()


def test_every_error_under_api_is_json(web, people) -> None:
    response = web(people.official("utrecht"), "utrecht").get("/api/nope/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "Not found.", "fields": {}}
    assert web(None, "utrecht").get("/api/v1/nope").json()["code"] == "not_found"


def test_the_api_docs_need_no_outside_host(web, utrecht) -> None:
    page = web(None, "utrecht").get("/api/docs/").content.decode()
    assert "http://" not in page.replace("http://testserver", "") and "https://" not in page
    assert web(None, "utrecht").get("/api/redoc/").status_code == 404


def test_the_language_switch_is_remembered(web, people) -> None:
    client = web(people.official("utrecht"), "utrecht")
    client.post("/i18n/setlang/", {"language": "en", "next": "/dashboard/"})
    assert '<html lang="en">' in client.get("/dashboard/").content.decode()


def test_a_403_is_logged_in_one_line(web, people, caplog) -> None:
    with caplog.at_level("WARNING", logger="django.request"):
        web(people.ally("utrecht"), "utrecht").get("/dashboard/")
    records = [r for r in caplog.records if r.name == "django.request"]
    assert records and all(r.exc_info is None for r in records)


@pytest.mark.parametrize(
    "path",
    [
        "/overleggen/999999/",
        "/signalen/999999/",
        "/selectie/999999/",
        "/sleutelfiguren/999999/",
        "/sleutelfiguren/999999/wijzigen/",
        "/meldingen/999999/",
        "/overleggen/abc/",
    ],
)
def test_a_missing_record_is_the_platforms_404_page_not_a_500(web, people, path) -> None:
    response = web(people.official("utrecht"), "utrecht").get(path)
    assert response.status_code == 404 and "Pagina niet gevonden" in response.content.decode()


def test_a_missing_signal_in_the_portal_is_a_404(web, people) -> None:
    assert web(people.ally("utrecht"), "utrecht").get("/mijn/signalen/999999/").status_code == 404
