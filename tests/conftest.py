"""Fixtures of the whole suite, on the real PostgreSQL (DATABASE_URL, else the embedded one).

The test database gets a template schema and two municipalities once per session (by cloning,
as in production); each test runs in a transaction that is rolled back. Named people follow
house style: ``people.official("utrecht")``, ``people.ally("amersfoort")``.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from agora.accounts.models import Membership, User
from agora.accounts.roles import STAFF_ROLES, Role
from agora.geography.models import PoliceDistrict, PoliceUnit
from agora.municipalities.models import Domain, Municipality
from agora.municipalities.provisioning import host_for, provision_municipality

TEST_MUNICIPALITIES = {
    # slug: (name, CBS code, unit, district)
    "utrecht": ("Utrecht", "GM0344", "Midden-Nederland", "Utrecht-Stad"),
    "amersfoort": ("Amersfoort", "GM0307", "Midden-Nederland", "Eemland"),
    # A third district and a second unit, for the national view (tests/platform/national/).
    "zeist": ("Zeist", "GM0355", "Midden-Nederland", "Heuvelrug"),
    "arnhem": ("Arnhem", "GM0202", "Oost-Nederland", "Gelderland-Midden"),
}


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto`` (pyproject's addopts): a worker per core, at most four.

    Each worker migrates and provisions a test database of its own (pytest-django appends the
    worker's name), so beyond the cores more workers only add set-up time. ``AGORA_TEST_WORKERS``
    overrides; ``-n 0`` runs in one process.
    """
    configured = os.environ.get("AGORA_TEST_WORKERS", "")
    if configured.isdigit():
        return int(configured)
    return max(1, min(os.cpu_count() or 1, 4))


# Tests that share one live server go to one xdist worker together, in file order.
ONE_WORKER_SCOPES = (
    # One live demo server (package scope), which boots once and recreates its database.
    "tests/browser/",
    # One `agora serve --workers 2` (module scope); its last test stops it.
    "tests/realtime/test_serve_workers.py",
    # One wheel (module scope): two workers building it at once share setuptools' build/ folder.
    "tests/test_packaging.py",
)


def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """Every test its own unit of work, except those of ``ONE_WORKER_SCOPES``.

    (xdist's ``--dist loadgroup`` marks did not group here with pytest 9: this says it directly.)
    """
    from xdist.scheduler import LoadScopeScheduling

    class SharedServersTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return next((scope for scope in ONE_WORKER_SCOPES if nodeid.startswith(scope)), nodeid)

    return SharedServersTogether(config, log)


def _district(unit: str, district: str) -> PoliceDistrict:
    unit_obj, _ = PoliceUnit.objects.get_or_create(name=unit)
    return PoliceDistrict.objects.get_or_create(unit=unit_obj, name=district)[0]


def ensure_test_municipality(slug: str) -> Municipality:
    """The session's municipality; restored if a transactional test flushed the public tables."""
    name, code, unit, district = TEST_MUNICIPALITIES[slug]
    with schema_context("public"):
        found = Municipality.objects.filter(slug=slug).first()
        if found:
            return found
        from django_tenants.utils import schema_exists

        if schema_exists(f"gm_{slug}"):
            municipality = Municipality.objects.create(
                name=name,
                cbs_code=code,
                slug=slug,
                district=_district(unit, district),
                schema_name=f"gm_{slug}",
            )
            Domain.objects.create(domain=host_for(slug), tenant=municipality, is_primary=True)
            return municipality
        return provision_municipality(name=name, cbs_code=code, district=_district(unit, district))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Migrate (pytest-django), then provision the session's municipalities by cloning."""
    with django_db_blocker.unblock():
        for slug in TEST_MUNICIPALITIES:
            ensure_test_municipality(slug)
        connection.set_schema_to_public()


@pytest.fixture(scope="session", autouse=True)
def _flush_past_the_audit_truncate_guard() -> Iterator[None]:
    """Let the flush after a transactional test empty the audit tables, which refuse TRUNCATE.

    The audit tables' BEFORE TRUNCATE triggers (audit migration 0003) do not fire in replica
    mode, which only a superuser (the test database's owner here) may switch on; the flush runs
    in one transaction, so ``SET LOCAL`` ends with it.
    """
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        return original(self, ["SET LOCAL session_replication_role = replica", *sql_list])

    DatabaseOperations.execute_sql_flush = execute_sql_flush
    yield
    DatabaseOperations.execute_sql_flush = original


@pytest.fixture(autouse=True)
def _force_login_includes_the_second_factor(monkeypatch) -> None:
    """``client.force_login(user)`` is a finished login, second factor included (police, analysts
    and operators must verify a code: agora.accounts.session_policy). The code step itself is
    tested through the password login (tests/platform/test_two_factor.py)."""
    from django.test.client import ClientMixin

    from tests.helpers import complete_second_factor

    original = ClientMixin.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        complete_second_factor(self, user)

    monkeypatch.setattr(ClientMixin, "force_login", force_login)


@pytest.fixture(autouse=True)
def _back_to_public() -> Iterator[None]:
    """Every test starts and ends in the public schema."""
    if hasattr(connection, "set_schema_to_public"):
        connection.set_schema_to_public()
    yield
    if hasattr(connection, "set_schema_to_public"):
        connection.set_schema_to_public()


@pytest.fixture
def utrecht(db) -> Municipality:
    return ensure_test_municipality("utrecht")


@pytest.fixture
def amersfoort(db) -> Municipality:
    return ensure_test_municipality("amersfoort")


@pytest.fixture
def in_utrecht(utrecht) -> Iterator[Municipality]:
    """Run the test body inside Utrecht's schema."""
    connection.set_tenant(utrecht)
    yield utrecht
    connection.set_schema_to_public()


@pytest.fixture
def in_amersfoort(amersfoort) -> Iterator[Municipality]:
    connection.set_tenant(amersfoort)
    yield amersfoort
    connection.set_schema_to_public()


class People:
    """Named demo people, created on first use within the test's transaction."""

    _seq = itertools.count(1)

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str, str], User] = {}

    def member(
        self, role: str, slug: str, key: str = "", *, title: str = "", mobile: str | None = None
    ) -> User:
        """A user with a membership; staff get a mobile number there (leads must be reachable)
        unless ``mobile`` says otherwise."""
        cache_key = (role, slug, key)
        if cache_key not in self._cache:
            municipality = ensure_test_municipality(slug)
            n = next(self._seq)
            with schema_context("public"):
                user = User.objects.create_user(
                    username=f"{role}-{slug}-{key or 'x'}-{n}",
                    password="correct horse battery staple",
                    first_name=role.capitalize(),
                    last_name=f"{slug.capitalize()}{key}",
                )
                if mobile is None:
                    mobile = f"+316{n:08d}" if role in STAFF_ROLES else ""
                Membership.objects.create(
                    user=user, municipality=municipality, role=role, title=title, mobile=mobile
                )
            self._cache[cache_key] = user
        return self._cache[cache_key]

    def official(self, slug: str = "utrecht", key: str = "", **kwargs) -> User:
        return self.member(Role.OFFICIAL, slug, key, **kwargs)

    def police(self, slug: str = "utrecht", key: str = "", **kwargs) -> User:
        return self.member(Role.POLICE, slug, key, **kwargs)

    def ally(self, slug: str = "utrecht", key: str = "", **kwargs) -> User:
        return self.member(Role.ALLY, slug, key, **kwargs)

    def stranger(self) -> User:
        """Logged in, but a member of no municipality."""
        if ("stranger", "", "") not in self._cache:
            with schema_context("public"):
                self._cache[("stranger", "", "")] = User.objects.create_user(
                    username=f"stranger-{next(self._seq)}", password="correct horse battery staple"
                )
        return self._cache[("stranger", "", "")]

    def membership(self, user: User, slug: str = "utrecht") -> Membership:
        with schema_context("public"):
            return Membership.objects.get(user=user, municipality__slug=slug)


@pytest.fixture
def people(utrecht, amersfoort) -> People:
    return People()


def host(slug: str) -> str:
    return host_for(slug)


@pytest.fixture
def api():
    """``api(user, "utrecht")``: a DRF client logged in (session) on that municipality's host."""
    from rest_framework.test import APIClient

    def make(user: User | None = None, slug: str = "utrecht", language: str = "en") -> APIClient:
        client = APIClient(HTTP_HOST=host_for(slug), HTTP_ACCEPT_LANGUAGE=language)
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def web():
    """``web(user, "utrecht")``: a Django test client (pages) on that municipality's host."""
    from django.test import Client

    def make(user: User | None = None, slug: str = "utrecht") -> Client:
        client = Client(HTTP_HOST=host_for(slug))
        if user is not None:
            client.force_login(user)
        return client

    return make
