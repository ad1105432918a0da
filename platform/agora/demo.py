"""The demo data: police geography, four municipalities, their staff, then each tenant app's demo.

``load_demo()`` is what ``agora demo`` runs after migrating. It is idempotent (everything is
looked up before it is created), so the demo can be restarted on the same data folder. The
platform owns the control plane (units, districts, municipalities, users, memberships); each tenant
app owns its own demo data in ``tenants.<app>.demo.load_demo(municipality, staff)``, called inside
the municipality's schema. An app without a ``demo`` module is skipped, so the demo works while
the apps are still being written.
"""

from __future__ import annotations

import importlib
import logging
import multiprocessing
import os
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, connections, transaction
from django_tenants.utils import schema_context, tenant_context

from agora.accounts.models import Membership, User
from agora.accounts.roles import Role
from agora.demo_password import DEMO_PASSWORD, create_demo_user
from agora.geography.models import PoliceDistrict, PoliceUnit
from agora.municipalities.models import Municipality
from agora.municipalities.provisioning import provision_municipality

logger = logging.getLogger(__name__)

DEMO_UNIT = "Midden-Nederland"


@dataclass(frozen=True)
class DemoMunicipality:
    name: str
    cbs_code: str
    slug: str
    district: str
    unit: str = DEMO_UNIT


# A second unit with its own districts, for the national view (one municipality each: quick).
SECOND_UNIT = "Oost-Nederland"
DEMO_MUNICIPALITIES: tuple[DemoMunicipality, ...] = (
    DemoMunicipality("Utrecht", "GM0344", "utrecht", "Utrecht-Stad"),
    DemoMunicipality("Amersfoort", "GM0307", "amersfoort", "Eemland"),
    DemoMunicipality("Leusden", "GM0327", "leusden", "Eemland"),
    DemoMunicipality("Soest", "GM0342", "soest", "Eemland"),
    DemoMunicipality("Arnhem", "GM0202", "arnhem", "Gelderland-Midden", SECOND_UNIT),
    DemoMunicipality("Enschede", "GM0153", "enschede", "Twente", SECOND_UNIT),
)

# The tenant apps' demo loaders, in dependency order: the map first, then who is nominated and
# selected from it, then the councils the allies sit on, then the signals they raise.
TENANT_DEMO_MODULES: tuple[str, ...] = (
    "tenants.networkmap.demo",
    "tenants.nominations.demo",
    "tenants.selection.demo",
    "tenants.councils.demo",
    "tenants.signals.demo",
    "tenants.crises.demo",
)


@dataclass(frozen=True)
class StaffSpec:
    """A demo staff login: ``<prefix>.<slug>``, its role and job title, and its key in ``staff``."""

    key: str
    prefix: str
    role: str
    title: str
    first_name: str
    description: str
    last_name: str = ""
    # The last digits of the demo mobile number (a fictitious +31 6 range), per municipality below.
    phone_suffix: str = "00"


STAFF: tuple[StaffSpec, ...] = (
    StaffSpec(
        "official",
        "ambtenaar",
        Role.OFFICIAL,
        "adviseur openbare orde en veiligheid",
        "Anne",
        "municipal official (lead)",
        "de Vries",
        "01",
    ),
    StaffSpec(
        "police",
        "wijkagent",
        Role.POLICE,
        "wijkagent",
        "Bram",
        "neighbourhood police officer (lead)",
        "van der Linden",
        "02",
    ),
    StaffSpec(
        "official2",
        "ambtenaar2",
        Role.OFFICIAL,
        "beleidsadviseur inclusie",
        "Carla",
        "municipal official (deputy)",
        "Jansen",
        "03",
    ),
    StaffSpec(
        "police2",
        "wijkagent2",
        Role.POLICE,
        "wijkagent",
        "Daan",
        "neighbourhood police officer (deputy)",
        "El Idrissi",
        "04",
    ),
)
# The official role (what the login may do), named on pages by its title, burgemeester; the banner
# says the same, so the login is "the mayor" in the terminal and in the browser alike.
MAYOR = StaffSpec(
    "mayor", "burgemeester", Role.OFFICIAL, "burgemeester", "Els", "mayor (burgemeester)", "Bakker", "05"
)
ALLY_LOGINS_PER_MUNICIPALITY = 2


@dataclass(frozen=True)
class DemoLogin:
    username: str
    description: str
    # The base32 TOTP key of a login that must use a second factor (agora.demo_second_factor).
    otp_secret: str = ""


@dataclass
class DemoResult:
    """What was loaded, for ``agora demo`` to print."""

    municipalities: list[Municipality] = field(default_factory=list)
    logins: list[DemoLogin] = field(default_factory=list)
    loaded_modules: list[str] = field(default_factory=list)
    skipped_modules: list[str] = field(default_factory=list)
    # (municipality slug, label, path) of the addresses a loader wants printed (the crisis rooms).
    addresses: list[tuple[str, str, str]] = field(default_factory=list)
    # The operator and the national analysts (with grant level and district), on the public host.
    national_logins: list[DemoLogin] = field(default_factory=list)


def import_demo_module(name: str) -> ModuleType | None:
    """The module ``name``, or None if that exact module does not exist (yet).

    A ModuleNotFoundError raised for anything else (a broken import inside the module) is a bug
    and propagates.
    """
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name == name:
            return None
        raise


def _loader(module: ModuleType) -> Callable[[Municipality, dict[str, User]], Any]:
    loader = getattr(module, "load_demo", None)
    if not callable(loader):
        raise ImproperlyConfigured(f"{module.__name__} has no load_demo(municipality, staff)")
    return loader


def ensure_district(unit_name: str, district_name: str) -> PoliceDistrict:
    unit, _ = PoliceUnit.objects.get_or_create(name=unit_name)
    district, _ = PoliceDistrict.objects.get_or_create(unit=unit, name=district_name)
    return district


def ensure_municipality(spec: DemoMunicipality) -> Municipality:
    """The demo municipality, provisioned (by cloning the template) if it does not exist yet."""
    found = Municipality.objects.filter(cbs_code=spec.cbs_code).first()
    if found is not None:
        return found
    return provision_municipality(
        name=spec.name,
        cbs_code=spec.cbs_code,
        slug=spec.slug,
        district=ensure_district(spec.unit, spec.district),
    )


def ensure_member(
    username: str,
    municipality: Municipality,
    *,
    role: str,
    title: str = "",
    first_name: str = "",
    last_name: str = "",
    mobile: str = "",
) -> User:
    """A demo user with an active membership; the password is set only when the user is created,
    so the demo never silently resets a password someone changed. Likewise ``mobile`` is put on
    the membership only while it has none."""
    user = User.objects.filter(username=username).first()
    if user is None:
        user = create_demo_user(
            username,
            email=f"{username}@demo.invalid",
            first_name=first_name,
            last_name=last_name,
        )
    membership, _ = Membership.objects.update_or_create(
        user=user,
        municipality=municipality,
        defaults={"role": role, "title": title, "is_active": True},
    )
    if mobile and not membership.mobile:
        membership.mobile = mobile
        membership.save(update_fields=["mobile"])
    return user


def demo_mobile(municipality: Municipality, spec: StaffSpec) -> str:
    """A fictitious but well-formed Dutch mobile number (E.164), one per demo login."""
    index = next((n for n, m in enumerate(DEMO_MUNICIPALITIES, start=1) if m.slug == municipality.slug), 99)
    return f"+3161000{index:02d}{spec.phone_suffix}"


def ensure_staff(municipality: Municipality) -> tuple[dict[str, User], list[DemoLogin]]:
    """The four staff logins of a municipality (lead and deputy on each side) and its mayor.

    Every one of them has a mobile number on their membership: the allies must be able to call
    the leads and deputies (and the council refuses a lead without one)."""
    staff: dict[str, User] = {}
    logins: list[DemoLogin] = []
    for spec in (*STAFF, MAYOR):
        username = f"{spec.prefix}.{municipality.slug}"
        user = ensure_member(
            username,
            municipality,
            role=spec.role,
            title=spec.title,
            first_name=spec.first_name,
            last_name=spec.last_name,
            mobile=demo_mobile(municipality, spec),
        )
        if spec is not MAYOR:
            staff[spec.key] = user
        logins.append(DemoLogin(username, f"{spec.description}, {municipality.name}"))
    return staff, logins


def ensure_ally_logins(municipality: Municipality) -> list[DemoLogin]:
    """Logins for the first allies the selection demo made, linked through ``KeyFigure.user``.

    Only allies that exist get a login: the platform never fabricates an ally itself, that is
    the selection workflow's decision.
    """
    try:
        from tenants.networkmap.models import KeyFigure
    except ImportError:
        return []
    field_names = {f.name for f in KeyFigure._meta.get_fields()}
    if not {"is_ally", "user"} <= field_names:
        return []

    logins: list[DemoLogin] = []
    with tenant_context(municipality):
        allies = list(KeyFigure.objects.filter(is_ally=True).order_by("id")[:ALLY_LOGINS_PER_MUNICIPALITY])
    for number, ally in enumerate(allies, start=1):
        username = f"bondgenoot{number}.{municipality.slug}"
        with schema_context("public"):
            user = ensure_member(
                username,
                municipality,
                role=Role.ALLY,
                title="bondgenoot",
                first_name=ally.first_name,
                last_name=ally.last_name,
            )
        if ally.user_id != user.pk:
            with tenant_context(municipality):
                # Bypasses save() on purpose: the link is the only thing the platform sets here.
                KeyFigure.objects.filter(pk=ally.pk).update(user=user)
        logins.append(DemoLogin(username, f"ally ({ally.first_name} {ally.last_name}), {municipality.name}"))
    return logins


@dataclass(frozen=True)
class LoadedMunicipality:
    """What one municipality's load made, in plain data (it may come back from a worker process)."""

    municipality_id: int
    logins: list[DemoLogin]
    addresses: list[tuple[str, str, str]]


def load_municipality(spec: DemoMunicipality, modules: tuple[str, ...]) -> LoadedMunicipality:
    """One municipality: provisioned, its staff, every tenant app's demo, its ally logins.

    Touches only its own schema and its own rows in public (its users, memberships and audit
    rows; provisioning takes its own lock), so municipalities can load side by side. The shared
    police geography must exist already (:func:`load_demo` makes it first).
    """
    loaders = [(name, _loader(module)) for name in modules if (module := import_demo_module(name))]
    connection.set_schema_to_public()
    with schema_context("public"):
        municipality = ensure_municipality(spec)
        with transaction.atomic():
            staff, logins = ensure_staff(municipality)
    addresses: list[tuple[str, str, str]] = []
    for name, loader in loaders:
        logger.info("Loading %s for %s", name, municipality.name)
        # One transaction per app and municipality: a loader that fails leaves nothing half-done.
        with tenant_context(municipality), transaction.atomic():
            shown = loader(municipality, staff)
        for label, path in shown if isinstance(shown, list) else []:
            addresses.append((municipality.slug, label, path))
    logins.extend(ensure_ally_logins(municipality))
    connection.set_schema_to_public()
    return LoadedMunicipality(municipality.pk, logins, addresses)


def _load_in_worker(job: tuple[DemoMunicipality, tuple[str, ...]]) -> LoadedMunicipality | str:
    """In a forked worker: one municipality, or the traceback of its failure (told by the parent)."""
    try:
        return load_municipality(*job)
    except BaseException:  # the parent raises it, naming the municipality
        return traceback.format_exc()
    finally:
        connections.close_all()


def demo_workers() -> int:
    """``AGORA_DEMO_WORKERS`` (default 1): processes that load municipalities side by side.

    One by default: the forked load hung twice on a restart (once in CI, once in the bench; the
    children never returned, cause not found yet), and a demo that waits forever without a word
    is worse than one that starts in 12 s instead of 7. ``2`` turns it on for trials.
    """
    return max(1, int(os.environ.get("AGORA_DEMO_WORKERS") or 1))


def load_municipalities(
    specs: tuple[DemoMunicipality, ...], modules: tuple[str, ...], workers: int = 1
) -> list[LoadedMunicipality]:
    """Every municipality of ``specs``, in that order; with ``workers`` > 1 in forked processes.

    Each worker inherits the loaded apps and opens its own connection (the parent's is closed
    before the fork: children must not share its socket). Only committed data is visible to them,
    so the parallel load is for a real start (``agora demo``), not inside a test's transaction.
    """
    count = min(workers, len(specs))
    if count <= 1:
        return [load_municipality(spec, modules) for spec in specs]
    connections.close_all()
    with multiprocessing.get_context("fork").Pool(processes=count) as pool:
        outcomes = pool.map(_load_in_worker, [(spec, modules) for spec in specs], chunksize=1)
    for spec, outcome in zip(specs, outcomes, strict=True):
        if isinstance(outcome, str):
            raise RuntimeError(f"the demo data of {spec.name} failed to load:\n{outcome}")
    return [outcome for outcome in outcomes if isinstance(outcome, LoadedMunicipality)]


def load_demo(modules: tuple[str, ...] = TENANT_DEMO_MODULES, *, workers: int = 1) -> DemoResult:
    """Load (or complete) the demo data. Safe to run any number of times.

    ``workers`` > 1 loads the municipalities in that many processes (``agora demo`` does); the
    data is the same, only the order of rows in the shared tables (users, audit) differs.
    """
    result = DemoResult()
    present: list[str] = []
    for name in modules:
        if import_demo_module(name) is None:
            result.skipped_modules.append(name)
        else:
            _loader(importlib.import_module(name))
            present.append(name)
    result.loaded_modules = list(present)

    connection.set_schema_to_public()
    # The shared police geography first: several municipalities share a district.
    with schema_context("public"):
        for spec in DEMO_MUNICIPALITIES:
            ensure_district(spec.unit, spec.district)
    for loaded in load_municipalities(DEMO_MUNICIPALITIES, tuple(present), workers):
        result.municipalities.append(Municipality.objects.get(pk=loaded.municipality_id))
        result.logins.extend(loaded.logins)
        result.addresses.extend(loaded.addresses)
    connection.set_schema_to_public()
    from agora.national.demo import ensure_national_demo

    result.national_logins = [
        DemoLogin(login.username, login.description) for login in ensure_national_demo(DEMO_PASSWORD)
    ]
    with schema_context("public"), transaction.atomic():
        result.logins = [ensure_demo_second_factor(login) for login in result.logins]
        result.national_logins = [ensure_demo_second_factor(login) for login in result.national_logins]
    return result


def ensure_demo_second_factor(login: DemoLogin) -> DemoLogin:
    """Give a demo login that must use two-factor authentication its fixed demo device."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from agora.accounts.two_factor import TwoFactor, two_factor_policy
    from agora.demo_second_factor import demo_totp_key, demo_totp_secret

    user = User.objects.get(username=login.username)
    if two_factor_policy(user) != TwoFactor.REQUIRED:
        return login
    key = demo_totp_key(user.username).hex()
    device = TOTPDevice.objects.filter(user=user, name="demo").first()
    if device is None:
        TOTPDevice.objects.create(user=user, name="demo", key=key, confirmed=True)
    elif device.key != key or not device.confirmed:
        device.key, device.confirmed = key, True
        device.save(update_fields=["key", "confirmed"])
    return DemoLogin(login.username, login.description, demo_totp_secret(user.username))
