"""Demo data of the network map: believable Dutch neighbourhoods, communities and key figures.

Called by ``agora.demo.load_demo`` inside each municipality's schema with the staff logins
(``official``, ``police``, ``official2``, ``police2``). Idempotent: everything is looked up by
its natural key first and created through the actions only when missing (so the demo also has
audit rows, like real data). Nobody becomes an ally here: that is the selection demo's job.

All people are invented; phone numbers are in the range that looks real but e-mail addresses
use ``example.org``. Phone numbers are given in mixed formats on purpose, to show the E.164
normalisation.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from agora.accounts.models import Membership
from tenants.networkmap import actions
from tenants.networkmap.models import (
    CityDistrict,
    Community,
    CommunityKind,
    ContactKind,
    ContactMoment,
    KeyFigure,
    Neighbourhood,
)

RELIGIOUS, ORIGIN, GROUP = CommunityKind.RELIGIOUS, CommunityKind.ORIGIN, CommunityKind.GROUP


@dataclass(frozen=True)
class Area:
    name: str
    code_suffix: str  # two digits after WK + the municipality's four
    district: str | None = None
    second_officer: bool = False


@dataclass(frozen=True)
class Person:
    first_name: str
    infix: str
    last_name: str
    communities: tuple[str, ...]
    represents: str
    influence: str
    professional: bool = False
    elsewhere: str = ""  # CBS code of the municipality where they live, if not here
    lists: tuple[bool, bool] = (True, False)  # on the municipality's list, on the police's list
    contacts_days_ago: tuple[int, ...] = field(default=())


AREAS: dict[str, tuple[Area, ...]] = {
    "utrecht": (
        Area("Overvecht", "03", "Noord", second_officer=True),
        Area("Noordwest", "02", "Noord"),
        Area("Zuidwest (Kanaleneiland)", "08", "Zuid", second_officer=True),
        Area("Zuid (Hoograven)", "07", "Zuid"),
        Area("Leidsche Rijn", "09"),
        Area("Oost", "05"),
    ),
    "amersfoort": (
        Area("Kruiskamp", "04", "Noord", second_officer=True),
        Area("Schothorst", "05", "Noord"),
        Area("Soesterkwartier", "02", "West"),
        Area("Liendert en Rustenburg", "06", "Noord"),
        Area("Vathorst", "09"),
    ),
    "leusden": (
        Area("Leusden-Zuid", "01", second_officer=True),
        Area("Leusden-Centrum", "02"),
        Area("Achterveld", "03"),
        Area("Stoutenburg", "04"),
    ),
    "soest": (
        Area("Soest-Zuid", "01", "Soest", second_officer=True),
        Area("Smitsveen", "02", "Soest"),
        Area("Overhees", "03", "Soest"),
        Area("Soesterberg", "05"),
    ),
}
GENERIC_AREAS: tuple[Area, ...] = (
    Area("Centrum", "01", second_officer=True),
    Area("Noord", "02"),
    Area("Zuid", "03"),
    Area("West", "04"),
)

BASE_COMMUNITIES: tuple[tuple[str, str], ...] = (
    (ORIGIN, "Marokkaans"),
    (ORIGIN, "Turks"),
    (RELIGIOUS, "Islamitisch"),
    (RELIGIOUS, "Katholiek"),
    (GROUP, "Jongeren"),
    (GROUP, "Ondernemers"),
)
EXTRA_COMMUNITIES: dict[str, tuple[tuple[str, str], ...]] = {
    "utrecht": ((ORIGIN, "Koerdisch"), (RELIGIOUS, "Joods")),
    "amersfoort": ((ORIGIN, "Koerdisch"), (ORIGIN, "Moluks")),
    "leusden": ((RELIGIOUS, "Protestants"), (GROUP, "Agrariërs")),
    "soest": ((RELIGIOUS, "Protestants"), (ORIGIN, "Syrisch")),
}

PEOPLE: tuple[Person, ...] = (
    Person(
        "Youssef",
        "",
        "El Amrani",
        ("Marokkaans", "Islamitisch"),
        "bestuur moskeevereniging",
        "Wordt gehoord door de vaders in de wijk; organiseert de iftar voor de buurt.",
        lists=(True, True),
        contacts_days_ago=(12, 90),
    ),
    Person(
        "Fatima",
        "",
        "Bouzid",
        ("Marokkaans",),
        "moedergroep basisschool",
        "Spil in het netwerk van moeders; brengt zorgen over jongeren vroeg in.",
        contacts_days_ago=(40,),
    ),
    Person(
        "Mehmet",
        "",
        "Yılmaz",
        ("Turks", "Ondernemers"),
        "winkeliersvereniging",
        "Kent de ondernemers op het winkelplein; bemiddelde bij een ruzie over overlast.",
        lists=(False, True),
        contacts_days_ago=(200,),
    ),
    Person(
        "Ayşe",
        "",
        "Demir",
        ("Turks",),
        "vrouwenvereniging",
        "Vertaalt en verbindt; vertrouwd bij oudere Turkse vrouwen.",
        lists=(True, True),
        contacts_days_ago=(25,),
    ),
    Person(
        "Rojda",
        "",
        "Aslan",
        ("Koerdisch", "Jongeren"),
        "Koerdisch cultureel centrum",
        "Jonge stem die zowel ouderen als studenten bereikt.",
        contacts_days_ago=(75,),
    ),
    Person(
        "David",
        "",
        "Cohen",
        ("Joods",),
        "synagoge",
        "Aanspreekpunt voor de Joodse gemeenschap bij spanningen na internationale gebeurtenissen.",
        lists=(True, True),
        contacts_days_ago=(8, 150),
    ),
    Person(
        "Ria",
        "van",
        "Dijk",
        ("Katholiek",),
        "parochiebestuur",
        "Kent veel oudere bewoners; de parochiezaal is een ontmoetingsplek.",
        contacts_days_ago=(400,),
    ),
    Person(
        "Kevin",
        "de",
        "Graaf",
        ("Jongeren",),
        "jongerenwerk Stichting Welzijn",
        "Jongerenwerker: beroepsmatig betrokken, daarom geen bondgenoot.",
        professional=True,
        lists=(True, False),
        contacts_days_ago=(5,),
    ),
    Person(
        "Samira",
        "",
        "Haddou",
        ("Marokkaans", "Jongeren"),
        "studentenvereniging",
        "Rolmodel voor meiden in de wijk; bereikt ouders via de moskee.",
        lists=(False, True),
    ),
    Person(
        "Hasan",
        "",
        "Kaya",
        ("Islamitisch", "Turks"),
        "Turkse moskee",
        "Secretaris van de moskee; spreekt met gezag maar vooral binnen de eigen achterban.",
        lists=(True, False),
        contacts_days_ago=(300,),
    ),
    Person(
        "Bram",
        "",
        "Jansen",
        ("Ondernemers",),
        "ondernemersvereniging",
        "Eigenaar bakkerij; hoort alles van klanten en buren.",
        lists=(True, True),
        contacts_days_ago=(20, 60),
    ),
    Person(
        "Ingrid",
        "",
        "Bakker",
        ("Katholiek",),
        "buurthuis (vrijwilliger)",
        "Organiseert de buurtmaaltijd; heeft contact met nieuwkomers.",
        contacts_days_ago=(130,),
    ),
    Person(
        "Rami",
        "",
        "Haddad",
        ("Syrisch", "Islamitisch"),
        "zelforganisatie nieuwkomers",
        "Brug naar nieuwkomers die de gemeente anders niet bereikt.",
        lists=(False, True),
        contacts_days_ago=(50,),
    ),
    Person(
        "Johan",
        "",
        "Latuihamallo",
        ("Moluks",),
        "Molukse kerk",
        "Gezien figuur in de Molukse wijk; houdt de jongeren bij de kerk betrokken.",
        lists=(True, True),
        contacts_days_ago=(180,),
    ),
    Person(
        "Gerrit",
        "van de",
        "Hoef",
        ("Agrariërs",),
        "LTO-afdeling",
        "Boer en raadslid van de LTO-afdeling; aanspreekpunt bij onrust over stikstof.",
        lists=(False, True),
        contacts_days_ago=(70,),
    ),
    Person(
        "Petra",
        "de",
        "Boer",
        ("Protestants", "Agrariërs"),
        "kerkenraad",
        "Bekend gezicht in het dorp; leidt het voedselbankpunt.",
        lists=(True, True),
        contacts_days_ago=(15,),
    ),
    Person(
        "Omar",
        "",
        "Chaouch",
        ("Islamitisch", "Ondernemers"),
        "sportschoolhouder",
        "Jongens uit de wijk trainen bij hem; spreekt ze aan op gedrag.",
        lists=(False, True),
        contacts_days_ago=(220,),
    ),
    Person(
        "Marieke",
        "van der",
        "Linden",
        ("Jongeren",),
        "voetbalvereniging",
        "Jeugdcoördinator; merkt spanningen tussen groepen jongeren als eerste.",
        contacts_days_ago=(35,),
    ),
    Person(
        "Ibrahim",
        "",
        "Özdemir",
        ("Turks", "Koerdisch"),
        "buurtvader",
        "Loopt 's avonds mee met de buurtvaders; bemiddelt tussen families.",
        elsewhere="GM0356",
        lists=(True, False),
        contacts_days_ago=(100,),
    ),
    Person(
        "Anouk",
        "",
        "Smit",
        ("Ondernemers", "Protestants", "Katholiek"),
        "winkeliers",
        "Voorzitter van de winkeliers; regelt snel dingen met de gemeente.",
        lists=(True, True),
    ),
    Person(
        "Nadia",
        "",
        "Benali",
        ("Marokkaans", "Islamitisch"),
        "welzijnsorganisatie",
        "Opbouwwerker bij de welzijnsorganisatie: professioneel vertegenwoordiger.",
        professional=True,
        lists=(True, True),
        contacts_days_ago=(60,),
    ),
)

# A few typical ways numbers are written, all normalised to E.164 by the action.
PHONE_FORMATS = ("06-{a}{b}", "06 {a} {b}", "+31 6 {a} {b}", "0031 6 {a}{b}", "06{a}{b}")


def _phone(seed: random.Random) -> str:
    a = f"{seed.randint(1000, 4999)}"  # 06-1 to 06-4: ranges in use for mobile numbers
    b = f"{seed.randint(1000, 9999)}"
    return seed.choice(PHONE_FORMATS).format(a=a, b=b)


def _email(person: Person) -> str:
    local = ".".join(part for part in (person.first_name, person.infix, person.last_name) if part)
    local = local.lower().replace(" ", "").replace("ı", "i").replace("ş", "s").replace("ö", "o")
    local = local.replace("ë", "e").replace("é", "e").replace("ü", "u")
    return f"{local}@example.org"


def _membership(user, municipality) -> Membership | None:
    return Membership.objects.filter(user=user, municipality=municipality).first()


def _ensure_area(area: Area, municipality, staff: dict, districts: dict[str, CityDistrict], *, actor):
    found = Neighbourhood.objects.filter(name=area.name).first()
    if found is not None:
        return found
    digits = (municipality.cbs_code or "GM0000")[2:]
    officers = [m for m in [_membership(staff.get("police"), municipality)] if m]
    if area.second_officer and staff.get("police2"):
        officers += [m for m in [_membership(staff["police2"], municipality)] if m]
    contact_user = staff.get("official") if area.code_suffix < "05" else staff.get("official2")
    contact = _membership(contact_user or staff.get("official"), municipality)
    return actions.do_create_neighbourhood(
        {
            "name": area.name,
            "cbs_code": f"WK{digits}{area.code_suffix}",
            "city_district": districts.get(area.district) if area.district else None,
            "police_officers": officers,
            "municipal_contact": contact,
        },
        acting_user=actor,
    )


def load_demo(municipality, staff: dict) -> None:
    """Load (or complete) the network map demo of ``municipality``; safe to run again."""
    actor = staff.get("official")
    seed = random.Random(f"networkmap-{municipality.slug}")
    areas = AREAS.get(municipality.slug, GENERIC_AREAS)

    districts: dict[str, CityDistrict] = {}
    for name in sorted({area.district for area in areas if area.district}):
        districts[name] = CityDistrict.objects.filter(name=name).first() or actions.do_create_city_district(
            {"name": name}, acting_user=actor
        )
    neighbourhoods = [_ensure_area(area, municipality, staff, districts, actor=actor) for area in areas]

    communities: dict[str, Community] = {}
    for kind, name in BASE_COMMUNITIES + EXTRA_COMMUNITIES.get(municipality.slug, ()):
        communities[name] = Community.objects.filter(
            kind=kind, name=name
        ).first() or actions.do_create_community({"kind": kind, "name": name}, acting_user=actor)

    # Every municipality gets most of the people, in its own mix and its own neighbourhoods.
    chosen = [p for p in PEOPLE if any(c in communities for c in p.communities)]
    seed.shuffle(chosen)
    chosen = chosen[: seed.randint(14, 18)]
    today = timezone.localdate()
    contacts_by = [m for m in (_membership(staff.get(k), municipality) for k in staff) if m]
    for index, person in enumerate(chosen):
        key_figure = KeyFigure.objects.filter(
            first_name=person.first_name, infix=person.infix, last_name=person.last_name
        ).first()
        if key_figure is None:
            key_figure = actions.do_create_key_figure(
                {
                    "first_name": person.first_name,
                    "infix": person.infix,
                    "last_name": person.last_name,
                    "mobile": _phone(seed),
                    "email": _email(person),
                    "neighbourhood": None
                    if person.elsewhere
                    else neighbourhoods[index % len(neighbourhoods)],
                    "residence_cbs_code": person.elsewhere,
                    "communities": [communities[c] for c in person.communities if c in communities],
                    "represents": person.represents,
                    "influence_notes": person.influence,
                    "nominated_by_municipality": person.lists[0],
                    "nominated_by_police": person.lists[1],
                    "is_professional_representative": person.professional,
                },
                acting_user=actor,
            )
        for number, days_ago in enumerate(person.contacts_days_ago):
            note = f"Demo-contact {number + 1}"
            if ContactMoment.objects.filter(key_figure=key_figure, note=note).exists():
                continue
            actions.do_record_contact(
                key_figure,
                acting_user=actor,
                date=today - datetime.timedelta(days=days_ago),
                kind=(ContactKind.VISIT, ContactKind.PHONE, ContactKind.MEETING)[(index + number) % 3],
                note=note,
                membership=contacts_by[(index + number) % len(contacts_by)] if contacts_by else None,
            )


# The demo's own records, for the loaders that build on them (nominations, selection, councils): a
# restart must never pick up, or fail on, what staff have entered since the first run.


def demo_neighbourhood_names(municipality) -> list[str]:
    """The names of the neighbourhoods this demo makes in ``municipality``."""
    return [area.name for area in AREAS.get(municipality.slug, GENERIC_AREAS)]


def demo_community_names(municipality) -> list[str]:
    """The names of the communities this demo makes in ``municipality``."""
    return [name for _, name in BASE_COMMUNITIES + EXTRA_COMMUNITIES.get(municipality.slug, ())]


def demo_key_figures() -> QuerySet[KeyFigure]:
    """The key figures this demo makes (the current schema), found by their invented names."""
    names = Q()
    for person in PEOPLE:
        names |= Q(first_name=person.first_name, infix=person.infix, last_name=person.last_name)
    return KeyFigure.objects.filter(names)
