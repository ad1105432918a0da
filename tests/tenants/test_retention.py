"""Retention: the clock moves (``now=``), and what is past its period is anonymised (issue 13.6)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tenants.utils import schema_context

from agora.audit.models import AuditEvent
from tenants.crises.models import Crisis, CrisisEvent, CrisisStatus
from tenants.networkmap.models import ContactMoment, KeyFigure
from tenants.networkmap.retention import ANONYMISED, apply_retention
from tests.factories import CouncilFactory, CouncilMemberFactory, KeyFigureFactory

pytestmark = pytest.mark.django_db

YEAR = dt.timedelta(days=365)


def _age(figure: KeyFigure, when: dt.datetime) -> None:
    KeyFigure.objects.filter(pk=figure.pk).update(created_at=when, updated_at=when, last_contact_on=None)


def test_retention_anonymises_only_what_is_past_its_period(people, in_utrecht):
    official = people.official("utrecht")
    now = timezone.now()
    old = now - 3 * YEAR
    unselected = KeyFigureFactory(first_name="Sara", last_name="Oud", mobile="+31611111111")
    ContactMoment.objects.create(key_figure=unselected, date=old.date(), kind="phone", note="zij is Joods")
    recent = KeyFigureFactory(first_name="Recent")
    seated_ally = KeyFigureFactory(ally=True, first_name="Zit")
    gone_ally = KeyFigureFactory(ally=True, first_name="Weg")
    council = CouncilFactory(
        municipal_lead=people.membership(official),
        police_lead=people.membership(people.police("utrecht")),
        started_on=old.date(),
    )
    CouncilMemberFactory(council=council, key_figure=seated_ally, joined_on=old.date())
    CouncilMemberFactory(
        council=council,
        key_figure=gone_ally,
        joined_on=old.date(),
        left_on=(old + dt.timedelta(days=30)).date(),
    )
    for figure in (unselected, seated_ally, gone_ally):
        _age(figure, old)
    crisis = Crisis.objects.create(
        title="Onrust bij de moskee",
        kind="unrest",
        declared_at=old,
        declared_by=official,
        deadline_at=old + dt.timedelta(hours=1),
        status=CrisisStatus.CLOSED,
        closed_at=old + dt.timedelta(days=1),
        summary="Familie X bedreigd",
        last_seq=1,
    )
    CrisisEvent.objects.create(
        crisis=crisis, seq=1, kind="message", payload={"text": "Bel Sara"}, created_at=old
    )
    open_crisis = Crisis.objects.create(
        title="Nog open", kind="incident", declared_at=old, declared_by=official, deadline_at=old
    )

    # Today, with periods of two years: the three old ones go; recent, seated and open stay.
    report = apply_retention(now=now)
    assert report.never_selected == [unselected.pk]
    assert report.inactive_allies == [gone_ally.pk]
    assert report.closed_crises == [crisis.pk]
    unselected.refresh_from_db()
    assert (unselected.first_name, unselected.last_name, unselected.mobile) == (
        ANONYMISED,
        f"#{unselected.pk}",
        "",
    )
    assert not ContactMoment.objects.filter(key_figure=unselected).exists()
    gone_ally.refresh_from_db()
    assert gone_ally.first_name == ANONYMISED
    for kept in (recent, seated_ally):
        kept.refresh_from_db()
        assert kept.first_name != ANONYMISED
    crisis.refresh_from_db()
    assert (crisis.title, crisis.summary) == (f"#{crisis.pk}", "")
    assert CrisisEvent.objects.get(crisis=crisis).payload == {"anonymised": True}
    open_crisis.refresh_from_db()
    assert open_crisis.title == "Nog open"
    with schema_context("public"):
        logged = AuditEvent.objects.get(action="privacy.retention_applied", municipality=in_utrecht)
    assert logged.detail["never_selected"] == [unselected.pk] and logged.detail["closed_crises"] == [
        crisis.pk
    ]

    # Run again: nothing left to do. Move the clock three years on: the recent key figure goes
    # too, the seated ally never (a seat is activity).
    assert apply_retention(now=now).total == 0
    later = apply_retention(now=now + 3 * YEAR)
    assert later.never_selected == [recent.pk] and later.inactive_allies == [] and later.closed_crises == []


def test_the_periods_are_settings_and_dry_run_changes_nothing(settings, people, in_utrecht):
    figure = KeyFigureFactory(first_name="Kort")
    _age(figure, timezone.now() - dt.timedelta(days=40))
    assert apply_retention().total == 0
    settings.AGORA_RETENTION_UNSELECTED_DAYS = 30
    assert apply_retention(dry_run=True).never_selected == [figure.pk]
    figure.refresh_from_db()
    assert figure.first_name == "Kort"
    call_command("apply_retention", stdout=(out := _Out()))
    assert "utrecht: 1 key figures never selected, 0 inactive allies, 0 closed crises anonymised" in out.text
    figure.refresh_from_db()
    assert figure.first_name == ANONYMISED


class _Out:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass
