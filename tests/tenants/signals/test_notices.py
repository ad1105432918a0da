"""Planned-intervention notices: only allies of this municipality, beforehand, with read receipts."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta

import pytest
from django.utils import timezone

from agora.audit.models import AuditEvent
from tenants.signals import actions
from tenants.signals.access import notices_visible_to
from tenants.signals.models import Notice, NoticeRecipient
from tests.helpers import assert_raises_code
from tests.tenants.signals.conftest import make_council, make_key_figure


def publish(town, *, by=None, **overrides) -> Notice:
    data = {
        "title": "Controle woonoverlast Kanaleneiland",
        "description": "Dinsdagochtend controleren politie en gemeente drie panden.",
        "planned_start": timezone.now() + timedelta(days=3),
        "visibility": "confidential",
    }
    data.update(overrides)
    return actions.do_publish_notice(**data, acting_user=by or town.police)


def test_police_inform_chosen_allies(town):
    notice = publish(town, recipient_ids=[town.ally.pk])
    assert notice.issuer_role == "police"
    assert list(notice.recipients.values_list("key_figure_id", "via_council", "read_at")) == [
        (town.ally.pk, False, None)
    ]
    assert AuditEvent.objects.filter(action="notice.published", object_id=str(notice.pk)).exists()


def test_a_council_notice_reaches_its_seated_allies(town, people):
    council = make_council(people, [town.ally, town.other_ally])
    council.members.filter(key_figure=town.other_ally).update(left_on=dt.date(2026, 2, 1))
    newcomer = make_key_figure("Noor", user=people.ally("utrecht", "a3"))
    council.members.create(key_figure=newcomer, joined_on=dt.date(2026, 2, 1))

    notice = publish(town, by=town.official, council_id=council.pk, recipient_ids=[town.ally.pk])

    rows = dict(notice.recipients.values_list("key_figure_id", "via_council"))
    # Chosen directly wins over "via council"; the ally who left the council is not informed.
    assert rows == {town.ally.pk: False, newcomer.pk: True}
    assert notice.issuer_role == "official"


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"recipient_ids": ["non_ally"]}, "notice_recipient_not_an_ally"),
        ({"recipient_ids": ["ally", "missing"]}, "notice_recipient_outside_municipality"),
        ({"council_id": "missing"}, "notice_council_outside_municipality"),
        ({}, "notice_without_recipients"),
        ({"recipient_ids": ["ally"], "planned_start": "past"}, "notice_planned_start_in_past"),
    ],
)
def test_refused_notices(town, overrides, code):
    ids = {"ally": town.ally.pk, "non_ally": town.non_ally.pk, "missing": 10**9}
    data = {}
    if "recipient_ids" in overrides:
        data["recipient_ids"] = [ids[key] for key in overrides["recipient_ids"]]
    if "council_id" in overrides:
        data["council_id"] = ids[overrides["council_id"]]
    if overrides.get("planned_start") == "past":
        data["planned_start"] = timezone.now() - timedelta(minutes=5)
    with assert_raises_code(code):
        publish(town, **data)
    assert not Notice.objects.exists()


def test_recipients_and_councils_of_another_municipality_are_refused(
    town, amersfoort, amersfoort_town, people
):
    from django_tenants.utils import tenant_context

    with tenant_context(amersfoort):
        council = make_council(people, [amersfoort_town.ally], slug="amersfoort")
    # Those ids belong to Amersfoort's schema; in Utrecht they are foreign, whatever they are.
    foreign = amersfoort_town.ally.pk + 10**6
    with assert_raises_code("notice_recipient_outside_municipality") as excinfo:
        publish(town, recipient_ids=[foreign])
    assert excinfo.value.fields == {"recipient_ids": [foreign]}
    with assert_raises_code("notice_council_outside_municipality"):
        publish(town, council_id=council.pk + 10**6)


def test_a_council_without_seated_allies_informs_nobody_and_is_refused(town, people):
    empty = make_council(people, [])
    with assert_raises_code("notice_without_recipients"):
        publish(town, council_id=empty.pk)
    assert not Notice.objects.exists()


def test_only_staff_publish(town, people):
    for user in (town.ally_user, people.official("amersfoort"), people.stranger()):
        with assert_raises_code("notice_staff_only"):
            publish(town, by=user, recipient_ids=[town.ally.pk])


def test_read_receipts(town):
    notice = publish(town, recipient_ids=[town.ally.pk])
    first = timezone.now()
    actions.do_confirm_notice_read(notice, acting_user=town.ally_user, read_at=first)
    # Confirming again keeps the first time.
    actions.do_confirm_notice_read(notice, acting_user=town.ally_user, read_at=first + timedelta(hours=1))
    receipt = NoticeRecipient.objects.get(notice=notice, key_figure=town.ally)
    assert receipt.read_at == first
    assert AuditEvent.objects.filter(action="notice.read_confirmed", object_id=str(notice.pk)).count() == 1

    for user, code in ((town.other_ally_user, "notice_read_by_recipient_only"), (town.police, None)):
        with assert_raises_code(code or "notice_read_by_recipient_only"):
            actions.do_confirm_notice_read(notice, acting_user=user)


def test_an_ally_sees_only_notices_addressed_to_them(town, people):
    council = make_council(people, [town.other_ally])
    direct = publish(town, recipient_ids=[town.ally.pk])
    via_council = publish(town, council_id=council.pk)
    assert set(notices_visible_to(town.ally_user)) == {direct}
    assert set(notices_visible_to(town.other_ally_user)) == {via_council}
    assert set(notices_visible_to(town.official)) == {direct, via_council}
    assert not notices_visible_to(people.stranger()).exists()
