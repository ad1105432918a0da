"""Grants: only an operator grants, every change is audited in its transaction, deny by default."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from agora.audit.models import AuditEvent
from agora.national.access import granted_scope
from agora.national.actions import (
    do_change_national_grant,
    do_grant_national_access,
    do_revoke_national_grant,
)
from agora.national.models import NationalGrant
from tests.helpers import assert_raises_code


def _until(days: int = 1) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=days)


def test_no_grant_sees_nothing(national, analyst) -> None:
    assert granted_scope(analyst()).levels == {}


def test_only_an_operator_grants(national, analyst, people) -> None:
    user = analyst()
    district = national.district_of("utrecht")
    for acting in (user, analyst(), people.official("utrecht")):
        with assert_raises_code("national_grant_operator_only", status=403):
            do_grant_national_access(
                user,
                district=district,
                level="summary",
                purpose="x",
                valid_until=_until(),
                acting_user=acting,
            )
    assert not NationalGrant.objects.exists()


def test_grant_needs_an_analyst_one_scope_a_purpose_and_a_period(national, analyst, people) -> None:
    op, district, unit = (
        national.operator,
        national.district_of("utrecht"),
        national.units["Midden-Nederland"],
    )
    common = {"level": "summary", "purpose": "x", "valid_until": _until(), "acting_user": op}
    with assert_raises_code("national_grant_not_analyst"):
        do_grant_national_access(people.official("utrecht"), district=district, **common)
    with assert_raises_code("national_grant_scope"):
        do_grant_national_access(analyst(), district=district, unit=unit, **common)
    with assert_raises_code("national_grant_scope"):
        do_grant_national_access(analyst(), **common)
    with assert_raises_code("national_grant_purpose"):
        do_grant_national_access(analyst(), district=district, **{**common, "purpose": "  "})
    with assert_raises_code("national_grant_level"):
        do_grant_national_access(analyst(), district=district, **{**common, "level": "everything"})
    with assert_raises_code("national_grant_period"):
        do_grant_national_access(
            analyst(),
            district=district,
            **{**common, "valid_until": timezone.now() - dt.timedelta(seconds=1)},
        )
    assert not NationalGrant.objects.exists()


def test_every_grant_change_is_audited(national, analyst) -> None:
    user, op = analyst(), national.operator
    district = national.district_of("utrecht")
    grant = do_grant_national_access(
        user, district=district, level="summary", purpose="onderzoek", valid_until=_until(), acting_user=op
    )
    assert granted_scope(user).levels == {district.pk: "summary"}
    do_change_national_grant(grant.pk, level="contacts", acting_user=op)
    assert granted_scope(user).levels == {district.pk: "contacts"}
    do_revoke_national_grant(grant.pk, acting_user=op)
    assert granted_scope(user).levels == {}
    with assert_raises_code("national_grant_revoked", status=409):
        do_revoke_national_grant(grant.pk, acting_user=op)
    events = list(
        AuditEvent.objects.filter(object_type="national.NationalGrant", object_id=str(grant.pk)).order_by(
            "id"
        )
    )
    assert [e.action for e in events] == [
        "national.grant.created",
        "national.grant.changed",
        "national.grant.revoked",
    ]
    assert all(e.actor_id == op.pk for e in events)
    assert (
        events[1].detail["before"]["level"] == "summary" and events[1].detail["after"]["level"] == "contacts"
    )


def test_a_unit_grant_covers_its_districts_and_the_higher_level_wins(national, analyst, grant) -> None:
    user = analyst()
    grant(user, unit=national.units["Midden-Nederland"], level="summary")
    grant(user, district=national.district_of("zeist"), level="contacts")
    levels = granted_scope(user).levels
    assert levels == {
        national.district_of("utrecht").pk: "summary",
        national.district_of("amersfoort").pk: "summary",
        national.district_of("zeist").pk: "contacts",
    }


@pytest.mark.parametrize("state", ["expired", "future", "revoked"])
def test_expired_future_and_revoked_grants_see_nothing(national, analyst, grant, state) -> None:
    user, now = analyst(), timezone.now()
    if state == "expired":
        grant(
            user,
            unit=national.units["Midden-Nederland"],
            valid_from=now - dt.timedelta(days=9),
            valid_until=now - dt.timedelta(seconds=1),
        )
    elif state == "future":
        grant(
            user,
            unit=national.units["Midden-Nederland"],
            valid_from=now + dt.timedelta(minutes=1),
            valid_until=now + dt.timedelta(days=9),
        )
    else:
        do_revoke_national_grant(
            grant(user, unit=national.units["Midden-Nederland"]).pk, acting_user=national.operator
        )
    assert granted_scope(user).levels == {}


def test_a_user_no_longer_analyst_sees_nothing(national, analyst, grant) -> None:
    user = analyst()
    grant(user, district=national.district_of("utrecht"))
    user.is_national_analyst = False
    user.save()
    assert granted_scope(user).levels == {}


def test_command_grants_and_revokes(national, analyst) -> None:
    user = analyst()
    call_command(
        "grant_national_access",
        operator=national.operator.username,
        analyst=user.username,
        district="Midden-Nederland/Heuvelrug",
        level="contacts",
        purpose="pilot",
        days=5,
    )
    grant = NationalGrant.objects.get(analyst=user)
    assert (grant.district.name, grant.level, grant.granted_by_id) == (
        "Heuvelrug",
        "contacts",
        national.operator.pk,
    )
    call_command("grant_national_access", operator=national.operator.username, revoke=grant.pk)
    assert granted_scope(user).levels == {}
    with pytest.raises(CommandError, match="national_grant_operator_only"):
        call_command(
            "grant_national_access",
            operator=user.username,
            analyst=user.username,
            unit="Oost-Nederland",
            purpose="x",
        )


def test_admin_is_for_operators_and_saves_through_the_action(national, analyst, people) -> None:
    from django.conf import settings
    from django.test import Client

    user = analyst()
    district = national.district_of("utrecht")
    outsider = Client(HTTP_HOST=settings.AGORA_BASE_DOMAIN)
    outsider.force_login(user)
    assert outsider.get("/admin/national/nationalgrant/").status_code in (302, 403)
    client = Client(HTTP_HOST=settings.AGORA_BASE_DOMAIN)
    client.force_login(national.operator)
    now = timezone.localtime()
    form = {
        "analyst": user.pk,
        "district": district.pk,
        "level": "summary",
        "purpose": "evaluatie",
        "valid_from_0": now.strftime("%Y-%m-%d"),
        "valid_from_1": now.strftime("%H:%M:%S"),
        "valid_until_0": (now + dt.timedelta(days=3)).strftime("%Y-%m-%d"),
        "valid_until_1": "12:00:00",
    }
    response = client.post("/admin/national/nationalgrant/add/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    grant = NationalGrant.objects.get(analyst=user)
    assert grant.granted_by_id == national.operator.pk
    assert AuditEvent.objects.filter(action="national.grant.created", object_id=str(grant.pk)).count() == 1
    bad = client.post(
        "/admin/national/nationalgrant/add/", {**form, "unit": national.units["Oost-Nederland"].pk}
    )
    assert bad.status_code == 200 and NationalGrant.objects.count() == 1


def test_an_analyst_gets_an_api_token_on_the_public_host(national, analyst, grant) -> None:
    """No municipality host is theirs: the token (password, then the code) comes from the public host."""
    from django.conf import settings
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from rest_framework.test import APIClient

    from tests.helpers import totp_code

    user = analyst()
    grant(user, district=national.district_of("zeist"))
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = APIClient(HTTP_HOST=settings.AGORA_BASE_DOMAIN, HTTP_ACCEPT_LANGUAGE="en")
    login = {"username": user.username, "password": "x" * 12}
    refused = client.post("/api/v1/auth/token/", login, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "otp_required"
    answer = client.post("/api/v1/auth/token/", {**login, "otp_token": totp_code(device)}, format="json")
    assert answer.status_code == 200, answer.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {answer.json()['token']}")
    districts = client.get("/api/v1/national/districts/").json()
    assert [d["id"] for d in districts["districts"]] == [national.district_of("zeist").pk]
    assert client.post("/api/v1/auth/logout/").status_code in (200, 204)
    assert client.get("/api/v1/national/districts/").status_code in (401, 403)
