"""``access_key_figure_by_id``: who sees which record, the same 404 otherwise, every read logged."""

from __future__ import annotations

import pytest

from agora.audit.models import PersonRecordRead
from tenants.networkmap.access import access_key_figure_by_id, key_figures_visible_to
from tenants.networkmap.models import KeyFigure
from tests.helpers import assert_raises_code


def reads_of(key_figure: KeyFigure) -> list[PersonRecordRead]:
    return list(
        PersonRecordRead.objects.filter(record_type="networkmap.KeyFigure", record_id=str(key_figure.pk))
    )


@pytest.mark.parametrize("role", ["official", "police"])
def test_staff_read_any_record_and_the_read_is_logged(utrecht_map, people, role):
    reader = people.member(role, "utrecht")
    found = access_key_figure_by_id(reader, utrecht_map.david.pk, purpose="prepare the council")
    assert found == utrecht_map.david
    (read,) = reads_of(utrecht_map.david)
    assert (read.actor, read.municipality, read.purpose) == (
        reader,
        utrecht_map.official.memberships.get().municipality,
        "prepare the council",
    )


def test_ally_reads_own_record_only(utrecht_map, people):
    ally = people.ally("utrecht")
    KeyFigure.objects.filter(pk=utrecht_map.youssef.pk).update(user=ally)
    assert (
        access_key_figure_by_id(ally, str(utrecht_map.youssef.pk), purpose="own record")
        == utrecht_map.youssef
    )
    assert len(reads_of(utrecht_map.youssef)) == 1
    with assert_raises_code("not_found", status=404):
        access_key_figure_by_id(ally, utrecht_map.david.pk, purpose="curious")
    assert reads_of(utrecht_map.david) == []
    assert list(key_figures_visible_to(ally)) == [utrecht_map.youssef]


@pytest.mark.parametrize("who", ["stranger", "other municipality", "ally without record"])
def test_everyone_else_gets_not_found(utrecht_map, people, who):
    reader = {
        "stranger": people.stranger,
        "other municipality": lambda: people.official("amersfoort"),
        "ally without record": lambda: people.ally("utrecht", "2"),
    }[who]()
    with assert_raises_code("not_found"):
        access_key_figure_by_id(reader, utrecht_map.david.pk, purpose="x")
    assert not key_figures_visible_to(reader).exists()
    assert reads_of(utrecht_map.david) == []


@pytest.mark.parametrize("bad_id", [987654321, "abc", None, "", -1, 0, 2**63, "1; DROP TABLE"])
def test_missing_or_malformed_ids_are_not_found(utrecht_map, bad_id):
    with assert_raises_code("not_found"):
        access_key_figure_by_id(utrecht_map.official, bad_id, purpose="x")
