"""The start pages name a member by what they are: the mayor is the burgemeester, as the demo says."""

from __future__ import annotations

from django.test import Client

from agora.accounts.models import Membership
from agora.demo import MAYOR, ensure_staff


def test_the_mayor_is_named_burgemeester_not_municipal_official(web, people) -> None:
    mayor = people.official("utrecht", "mayor", title="burgemeester")
    page = web(mayor, "utrecht").get("/").content.decode()
    assert "(burgemeester)" in page
    assert "municipal official" not in page

    public = Client(HTTP_HOST="localhost")
    public.force_login(mayor)
    page = public.get("/").content.decode()
    assert "Utrecht</a> (burgemeester)" in page
    assert "municipal official" not in page


def test_a_member_without_a_job_title_is_named_by_role(web, people) -> None:
    # Dutch by default (issue 12), English when the browser asks for it.
    police = people.police("utrecht")
    assert "(politieagent)" in web(police, "utrecht").get("/").content.decode()
    page = web(police, "utrecht").get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "(police officer)" in page


def test_staff_see_the_admin_link_and_allies_do_not(web, people) -> None:
    assert 'href="/admin/"' in web(people.official("utrecht"), "utrecht").get("/").content.decode()
    assert 'href="/admin/"' not in web(people.ally("utrecht"), "utrecht").get("/").content.decode()


def test_the_demo_banner_and_the_pages_agree_on_the_mayor(utrecht) -> None:
    _, logins = ensure_staff(utrecht)
    banner = {login.username: login.description for login in logins}
    assert banner["burgemeester.utrecht"] == "mayor (burgemeester), Utrecht"
    membership = Membership.objects.get(user__username="burgemeester.utrecht", municipality=utrecht)
    assert membership.label == MAYOR.title == "burgemeester"
    assert membership.label in banner["burgemeester.utrecht"]
