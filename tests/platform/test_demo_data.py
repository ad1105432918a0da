"""``agora.demo.load_demo``: geography, municipalities, staff, the tenant apps' loaders; idempotent."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest
from django.db import connection
from django_tenants.utils import schema_exists

from agora.accounts.models import Membership, User
from agora.accounts.roles import Role
from agora.demo import DEMO_PASSWORD, TENANT_DEMO_MODULES, import_demo_module, load_demo
from agora.geography.models import PoliceDistrict
from agora.municipalities.models import Municipality
from tenants.networkmap.phones import normalise_phone

DEMO = {
    "utrecht": ("Midden-Nederland", "Utrecht-Stad"),
    "amersfoort": ("Midden-Nederland", "Eemland"),
    "leusden": ("Midden-Nederland", "Eemland"),
    "soest": ("Midden-Nederland", "Eemland"),
    # The second unit, with its own districts (the national view's demo).
    "arnhem": ("Oost-Nederland", "Gelderland-Midden"),
    "enschede": ("Oost-Nederland", "Twente"),
}


@pytest.fixture(autouse=True)
def _session_municipalities(db) -> None:
    """Every session municipality the demo also has (Arnhem) as its row, not only its schema.

    A transactional test elsewhere may have flushed the public rows; the demo would then try to
    provision Arnhem again beside the schema that is still there (``municipality_name_taken``).
    """
    from tests.conftest import TEST_MUNICIPALITIES, ensure_test_municipality

    for slug in TEST_MUNICIPALITIES:
        ensure_test_municipality(slug)


@pytest.fixture
def fake_demo_package(tmp_path: Path, monkeypatch):
    """A package on sys.path with a recording demo loader and one broken demo module."""
    package = tmp_path / "fakedemo"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "demo.py").write_text(
        textwrap.dedent(
            """
            from django.db import connection

            CALLS = []

            def load_demo(municipality, staff):
                official = staff["official"].username
                CALLS.append((municipality.slug, connection.schema_name, sorted(staff), official))
            """
        )
    )
    (package / "broken.py").write_text("import fakedemo_dependency_that_does_not_exist\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "fakedemo"
    for name in [n for n in sys.modules if n.startswith("fakedemo")]:
        del sys.modules[name]


def test_missing_module_is_skipped_but_a_broken_one_raises(fake_demo_package) -> None:
    assert import_demo_module("fakedemo.missing") is None
    assert import_demo_module("fakedemo.demo") is not None
    with pytest.raises(ModuleNotFoundError, match="fakedemo_dependency_that_does_not_exist"):
        import_demo_module("fakedemo.broken")


def test_the_tenant_modules_in_order() -> None:
    assert TENANT_DEMO_MODULES == (
        "tenants.networkmap.demo",
        "tenants.nominations.demo",
        "tenants.selection.demo",
        "tenants.councils.demo",
        "tenants.signals.demo",
        "tenants.crises.demo",
    )


def test_load_demo_builds_the_demo_and_is_idempotent(utrecht, amersfoort, fake_demo_package) -> None:
    # Only the fake loaders here: the tenant apps test their own demo data.
    modules = ("fakedemo.demo", "fakedemo.not_written_yet")
    result = load_demo(modules)
    assert connection.schema_name == "public"

    assert [m.slug for m in result.municipalities] == list(DEMO)
    for slug, (unit, district) in DEMO.items():
        municipality = Municipality.objects.get(slug=slug)
        assert municipality.district == PoliceDistrict.objects.get(unit__name=unit, name=district)
        assert schema_exists(municipality.schema_name)
        roles = dict(
            Membership.objects.filter(municipality=municipality).values_list("user__username", "role")
        )
        for prefix, role in [
            ("ambtenaar", Role.OFFICIAL),
            ("wijkagent", Role.POLICE),
            ("ambtenaar2", Role.OFFICIAL),
            ("wijkagent2", Role.POLICE),
            ("burgemeester", Role.OFFICIAL),
        ]:
            assert roles[f"{prefix}.{slug}"] == role
        mayor = Membership.objects.get(user__username=f"burgemeester.{slug}")
        assert mayor.title == "burgemeester"
        # Every staff member can be called: a valid, distinct number on their membership here.
        numbers = list(Membership.objects.filter(municipality=municipality).values_list("mobile", flat=True))
        assert len(numbers) == 5 and all(normalise_phone(n) == n != "" for n in numbers)
        assert len(set(numbers)) == 5
    assert User.objects.get(username="wijkagent.soest").check_password(DEMO_PASSWORD)
    # Hashed once per run (argon2 costs a tenth of a second or more a time): one hash for all 30.
    staff = User.objects.filter(username__in=[login.username for login in result.logins])
    assert staff.count() == 5 * len(DEMO) and len(set(staff.values_list("password", flat=True))) == 1
    assert "fakedemo.not_written_yet" in result.skipped_modules
    assert "fakedemo.demo" in result.loaded_modules

    calls = sys.modules["fakedemo.demo"].CALLS
    assert calls == [
        (slug, f"gm_{slug}", ["official", "official2", "police", "police2"], f"ambtenaar.{slug}")
        for slug in DEMO
    ]

    counts = (Municipality.objects.count(), User.objects.count(), Membership.objects.count())
    again = load_demo(modules)
    assert (Municipality.objects.count(), User.objects.count(), Membership.objects.count()) == counts
    assert [login.username for login in again.logins] == [login.username for login in result.logins]
    assert len(calls) == 2 * len(DEMO)  # each loader runs again; being idempotent is its own duty


def test_a_failing_loader_stops_the_demo_loudly(utrecht, amersfoort, tmp_path, monkeypatch) -> None:
    (tmp_path / "failingdemo.py").write_text(
        "def load_demo(municipality, staff):\n    raise ValueError('bad demo row')\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        with pytest.raises(ValueError, match="bad demo row"):
            load_demo(("failingdemo",))
    finally:
        sys.modules.pop("failingdemo", None)


def test_ally_logins_only_for_allies_the_selection_made(utrecht) -> None:
    from django_tenants.utils import tenant_context

    from agora.demo import ensure_ally_logins
    from tenants.networkmap.models import KeyFigure
    from tests.factories import KeyFigureFactory

    with tenant_context(utrecht):
        KeyFigureFactory(first_name="Nadia", last_name="El Amrani", mobile="", ally=True)
        KeyFigureFactory(first_name="Piet", last_name="Jansen", mobile="")  # a key figure, no ally
        KeyFigureFactory(first_name="Fatma", last_name="Yilmaz", mobile="", ally=True)
        KeyFigureFactory(first_name="Joost", last_name="de Vries", mobile="", ally=True)

    logins = ensure_ally_logins(utrecht)
    assert [login.username for login in logins] == ["bondgenoot1.utrecht", "bondgenoot2.utrecht"]
    assert ensure_ally_logins(utrecht) == logins  # idempotent
    nadia = User.objects.get(username="bondgenoot1.utrecht")
    assert Membership.objects.get(user=nadia, municipality=utrecht).role == Role.ALLY
    assert nadia.check_password(DEMO_PASSWORD)
    with tenant_context(utrecht):
        assert KeyFigure.objects.get(first_name="Nadia").user == nadia
        assert KeyFigure.objects.get(first_name="Piet").user is None
        assert KeyFigure.objects.get(first_name="Joost").user is None  # two logins per municipality
    assert connection.schema_name == "public"


def test_demo_has_an_operator_and_analysts_of_both_levels(utrecht, amersfoort, fake_demo_package) -> None:
    from agora.national.access import granted_scope

    result = load_demo(("fakedemo.demo",))
    national = {login.username: login.description for login in result.national_logins}
    assert User.objects.get(username="beheerder").is_superuser
    summary, contacts = (
        User.objects.get(username="analist.samenvatting"),
        User.objects.get(username="analist.contacten"),
    )
    assert set(granted_scope(summary).levels.values()) == {"summary"}
    assert set(granted_scope(contacts).levels.values()) == {"contacts"}
    assert len(granted_scope(summary).levels) == len(granted_scope(contacts).levels) == 1
    assert (
        "summary" in national["analist.samenvatting"] and "Utrecht-Stad" in national["analist.samenvatting"]
    )
    assert (
        "contacts" in national["analist.contacten"] and "Gelderland-Midden" in national["analist.contacten"]
    )
    again = load_demo(("fakedemo.demo",))
    assert [login.username for login in again.national_logins] == list(national)
    from agora.national.models import NationalGrant

    assert NationalGrant.objects.filter(analyst__username__startswith="analist.").count() == 2


def test_demo_logins_that_need_a_second_factor_get_the_printed_key(
    utrecht, amersfoort, fake_demo_package
) -> None:
    """Police, analysts and the operator get a fixed demo key (printed by ``agora demo``); a
    password and the code computed from that key log them in. Officials and allies get none."""
    import base64

    from django.test import Client
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from agora.demo_second_factor import demo_totp_secret
    from agora.municipalities.provisioning import host_for

    result = load_demo(("fakedemo.demo",))
    secrets = {login.username: login.otp_secret for login in (*result.logins, *result.national_logins)}
    assert secrets["wijkagent.utrecht"] == demo_totp_secret("wijkagent.utrecht")
    assert secrets["beheerder"] and secrets["analist.contacten"]
    assert secrets["ambtenaar.utrecht"] == "" and secrets["burgemeester.utrecht"] == ""
    assert not TOTPDevice.objects.filter(user__username="ambtenaar.utrecht").exists()
    again = load_demo(("fakedemo.demo",))  # idempotent: one device, the same key
    assert {login.username: login.otp_secret for login in again.logins} == {
        login.username: login.otp_secret for login in result.logins
    }
    assert TOTPDevice.objects.filter(user__username="wijkagent.utrecht").count() == 1

    client = Client(HTTP_HOST=host_for("utrecht"), REMOTE_ADDR="192.0.2.99")
    client.post("/login/", {"username": "wijkagent.utrecht", "password": DEMO_PASSWORD})
    assert client.get("/netwerk/")["Location"].startswith("/login/verify/")
    code = f"{totp(base64.b32decode(secrets['wijkagent.utrecht'])):06d}"
    assert client.post("/login/verify/", {"otp_token": code}).status_code == 302
    assert client.get("/netwerk/").status_code == 200
