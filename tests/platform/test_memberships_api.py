"""``/api/v1/memberships/``: staff see their colleagues' numbers, set their own; an official a colleague's.

And the platform operators' admin: the number and the end of a membership go through the actions.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from agora.accounts.models import Membership, User
from agora.audit.models import AuditEvent, PersonRecordRead
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db

URL = "/api/v1/memberships/"


def test_staff_list_this_municipalitys_staff_with_numbers(api, people, in_utrecht):
    official, officer, ally = people.official(), people.police(mobile=""), people.ally()
    people.police("amersfoort")
    rows = api(official).get(URL).json()
    rows = rows["results"] if isinstance(rows, dict) else rows
    by_user = {row["user"]: row for row in rows}
    assert set(by_user) == {official.pk, officer.pk}  # staff only, this municipality only
    assert by_user[official.pk]["has_mobile"] is True and by_user[official.pk]["mobile"].startswith("+316")
    assert by_user[official.pk]["is_you"] is True
    assert (by_user[officer.pk]["has_mobile"], by_user[officer.pk]["mobile"]) == (False, "")
    connection.set_tenant(in_utrecht)
    reads = PersonRecordRead.objects.filter(actor=official, purpose="staff memberships")
    assert {r.record_id for r in reads} == {str(official.pk), str(officer.pk)}
    assert_error(api(ally).get(URL), "permission_denied", 403)
    assert_error(api(people.police("amersfoort")).get(URL), "permission_denied", 403)


def test_a_member_sets_their_own_number_and_an_official_a_colleagues(api, people, in_utrecht):
    official, officer, colleague = people.official(), people.police(mobile=""), people.police("utrecht", "2")
    mine = people.membership(officer)
    response = api(officer).patch(f"{URL}{mine.pk}/", {"mobile": "06-12345678"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["mobile"] == "+31612345678"
    theirs = people.membership(colleague)
    assert_error(
        api(officer).patch(f"{URL}{theirs.pk}/", {"mobile": "0611112222"}, format="json"),
        "permission_denied",
        403,
    )
    response = api(official).patch(f"{URL}{theirs.pk}/", {"mobile": "+31 6 1111 2222"}, format="json")
    assert response.json()["mobile"] == "+31611112222"
    assert_error(api(officer).patch(f"{URL}{mine.pk}/", {"mobile": "12"}, format="json"), "invalid_phone")
    assert_error(api(official).get(f"{URL}987654321/"), "not_found", 404)
    foreign = people.membership(people.police("amersfoort"), "amersfoort")
    assert_error(
        api(official).patch(f"{URL}{foreign.pk}/", {"mobile": "0612345678"}, format="json"), "not_found"
    )
    assert_error(api(official).get(f"{URL}{people.membership(people.ally()).pk}/"), "not_found", 404)


def test_the_operators_admin_sets_numbers_and_ends_memberships_through_the_actions(people, utrecht):
    officer = people.police(mobile="")
    membership = people.membership(officer)
    with schema_context("public"):
        operator = User.objects.create_superuser("operator", "op@example.invalid", "correct horse battery")
    client = Client()  # the public host
    client.force_login(operator)
    form = {
        "user": officer.pk,
        "municipality": utrecht.pk,
        "role": "police",
        "title": "wijkagent",
        "mobile": "06 12 34 56 78",
        "is_active": "on",
    }
    url = f"/admin/accounts/membership/{membership.pk}/change/"
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    with schema_context("public"):
        membership.refresh_from_db()
        assert membership.mobile == "+31612345678"
        assert AuditEvent.objects.filter(action="accounts.membership.mobile_set", actor=operator).exists()
    response = client.post(url, {**form, "mobile": "12"})
    assert response.status_code == 200  # a form error, not a crash
    response = client.post(url, {k: v for k, v in form.items() if k != "is_active"})
    assert response.status_code == 302
    with schema_context("public"):
        membership = Membership.objects.get(pk=membership.pk)
        assert not membership.is_active
        assert AuditEvent.objects.filter(action="accounts.membership.ended", actor=operator).exists()


def test_the_operators_admin_gives_no_number_to_an_ally_membership(people, utrecht):
    ally = people.ally()
    membership = people.membership(ally)
    with schema_context("public"):
        operator = User.objects.create_superuser("operator2", "op2@example.invalid", "correct horse battery")
    client = Client()
    client.force_login(operator)
    form = {
        "user": ally.pk,
        "municipality": utrecht.pk,
        "role": "ally",
        "mobile": "0612345678",
        "is_active": "on",
    }
    response = client.post(f"/admin/accounts/membership/{membership.pk}/change/", form)
    assert response.status_code == 200 and "Alleen ambtenaren en politie" in response.content.decode()
    with schema_context("public"):
        assert Membership.objects.get(pk=membership.pk).mobile == ""
