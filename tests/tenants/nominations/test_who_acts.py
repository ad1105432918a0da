"""Every write action of the nominations checks who acts itself, not only ``IsMunicipalStaff``.

Called directly, importing a list (also as a dry run), confirming and rejecting a match refuse an
ally, a user who is nobody's member, an official of another municipality and an anonymous user
with ``permission_denied`` (403), and write nothing (no import run, no audit row, no merge).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest

from agora.audit.models import AuditEvent
from tenants.networkmap.models import KeyFigure
from tenants.nominations.importing import do_import_nominations
from tenants.nominations.merging import do_confirm_match, do_reject_match
from tenants.nominations.models import ImportRun, NominationEntry, RejectedMatch
from tests.helpers import OUTSIDERS, assert_raises_code
from tests.tenants.nominations.conftest import csv_bytes, row

LIST = csv_bytes([row("Anna", "Jansen", mobile="06-12345678", wijk="Lombok")])


@pytest.fixture
def pair(city_map, people) -> tuple[int, int]:
    """One person on each list whose names only resemble each other (a candidate match)."""
    for source, first, infix, mobile in (
        ("municipality", "Jan", "van der", "06-10000002"),
        ("police", "J.", "v.d.", ""),
    ):
        do_import_nominations(
            io.BytesIO(csv_bytes([row(first, "Berg", infix=infix, mobile=mobile)])),
            filename=f"{source}.csv",
            source=source,
            acting_user=people.official("utrecht"),
        )
    municipality = KeyFigure.objects.get(nominated_by_municipality=True)
    police = KeyFigure.objects.get(nominated_by_police=True)
    return municipality.pk, police.pk


ACTIONS: dict[str, Callable[[tuple[int, int], Any], Any]] = {
    "do_import_nominations": lambda pair, user: do_import_nominations(
        io.BytesIO(LIST), filename="lijst.csv", source="police", acting_user=user
    ),
    "do_import_nominations (dry run)": lambda pair, user: do_import_nominations(
        io.BytesIO(LIST), filename="lijst.csv", source="police", acting_user=user, dry_run=True
    ),
    "do_confirm_match": lambda pair, user: do_confirm_match(*pair, acting_user=user),
    "do_reject_match": lambda pair, user: do_reject_match(*pair, acting_user=user, reason="twee mensen"),
}

WHO = OUTSIDERS


def _state() -> tuple:
    return (
        AuditEvent.objects.count(),
        ImportRun.objects.count(),
        RejectedMatch.objects.count(),
        sorted(NominationEntry.objects.values_list("pk", "key_figure_id")),
        sorted(KeyFigure.objects.values_list("pk", flat=True)),
    )


@pytest.mark.parametrize("who", sorted(WHO))
@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_each_write_action_refuses_anyone_but_staff(pair, people, name, who):
    user = WHO[who](people)
    before = _state()

    with assert_raises_code("permission_denied", status=403):
        ACTIONS[name](pair, user)

    assert _state() == before


@pytest.mark.parametrize("staff", ["official", "police"])
@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_each_write_action_lets_staff_act(pair, people, name, staff):
    """The other half of the check: the same call by staff of this municipality goes through."""
    before = AuditEvent.objects.count()
    ACTIONS[name](pair, getattr(people, staff)("utrecht"))
    assert AuditEvent.objects.count() > before
