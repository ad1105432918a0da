"""Subject access and erasure of one person (issue 13.5)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tenants.utils import schema_context

from agora.audit.actions import log_person_read
from agora.audit.models import AuditEvent, PersonRecordRead
from tenants.networkmap.models import ContactMoment, KeyFigure
from tenants.networkmap.retention import ANONYMISED
from tenants.networkmap.subject_access import ERASED_TEXT, do_erase_person, export_person
from tenants.signals import actions as signals
from tenants.signals.models import Signal, SignalAnswer
from tests.factories import KeyFigureFactory, NeighbourhoodFactory
from tests.helpers import assert_raises_code
from tests.tenants.councils.conftest import make_council, make_key_figure, staff  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(people, in_utrecht):
    """An ally with a login, a contact moment, a signal with an answer; and someone else."""
    official, police = people.official("utrecht"), people.police("utrecht")
    login = people.ally("utrecht", "sa")
    neighbourhood = NeighbourhoodFactory()
    figure = KeyFigureFactory(
        ally=True,
        user=login,
        first_name="Miriam",
        last_name="Cohen",
        mobile="+31612340000",
        neighbourhood=neighbourhood,
    )
    other = KeyFigureFactory(ally=True, first_name="Anderman", last_name="Ander", neighbourhood=neighbourhood)
    ContactMoment.objects.create(key_figure=figure, date=dt.date(2026, 5, 1), kind="phone", note="Synagoge")
    ContactMoment.objects.create(
        key_figure=other, date=dt.date(2026, 5, 1), kind="phone", note="Niet van haar"
    )
    signal = signals.do_raise_signal(
        category="pest", neighbourhood_id=neighbourhood.pk, description="Ratten bij Miriam", acting_user=login
    )
    signals.do_assign_signal_owner(
        signal, owner_membership_id=people.membership(official).pk, acting_user=official
    )
    signals.do_answer_signal(signal, body="We komen, Miriam", acting_user=official)
    log_person_read(actor=police, obj=figure, purpose="networkmap.detail")
    log_person_read(actor=police, obj=other, purpose="networkmap.detail")
    return figure, other, official, police, signal


def test_the_export_holds_everything_about_the_person_and_nothing_about_others(person):
    figure, other, official, police, signal = person
    export = export_person(figure.pk, acting_user=official)
    text = json.dumps(export)
    assert export["record"]["last_name"] == "Cohen" and export["record"]["mobile"] == "+31612340000"
    assert [c["note"] for c in export["contact_moments"]] == ["Synagoge"]
    assert [s["id"] for s in export["signals"]] == [signal.pk]
    assert export["signals"][0]["answers"] == ["We komen, Miriam"]
    with schema_context("public"):
        reads_of = {
            key: PersonRecordRead.objects.filter(
                record_type="networkmap.KeyFigure", record_id=str(key)
            ).count()
            for key in (figure.pk, other.pk)
        }
    # Exactly the reads of this person (the police read included); not those of the other.
    assert police.pk in {r["reader_id"] for r in export["reads"]}
    assert len(export["reads"]) == reads_of[figure.pk] and reads_of[other.pk] >= 1
    assert "Anderman" not in text and "Niet van haar" not in text and other.last_name not in text
    # The export is itself a read of the person.
    assert [r["purpose"] for r in export_person(figure.pk, acting_user=official)["reads"]][
        -1
    ] == "subject_access"


def test_only_an_official_exports_or_erases(person, people):
    figure, _, _, police, _ = person
    for user in (police, people.ally("utrecht", "sa"), people.official("amersfoort")):
        with assert_raises_code("subject_access_officials_only"):
            export_person(figure.pk, acting_user=user)
        with assert_raises_code("subject_access_officials_only"):
            do_erase_person(figure.pk, acting_user=user)


def test_erasure_removes_the_person_everywhere_and_is_logged(person, in_utrecht):
    figure, other, official, _, signal = person
    result = do_erase_person(figure.pk, acting_user=official)
    figure.refresh_from_db()
    assert figure.first_name == ANONYMISED and figure.mobile == "" and figure.user_id is None
    assert not ContactMoment.objects.filter(key_figure=figure).exists()
    assert Signal.objects.get(pk=signal.pk).description == ERASED_TEXT
    assert set(SignalAnswer.objects.filter(signal=signal).values_list("body", flat=True)) == {ERASED_TEXT}
    other.refresh_from_db()
    assert other.first_name == "Anderman"
    assert ContactMoment.objects.get(key_figure=other).note == "Niet van haar"
    export = json.dumps(export_person(figure.pk, acting_user=official))
    assert "Miriam" not in export and "Cohen" not in export and "Synagoge" not in export
    with schema_context("public"):
        event = AuditEvent.objects.get(action="privacy.person_erased", object_id=str(figure.pk))
    assert event.detail["signals"] == [signal.pk] == result["signals"]
    assert event.municipality == in_utrecht


def test_the_command_exports_and_erases(person, utrecht):
    figure, _, official, _, _ = person
    call_command(
        "subject_access",
        "utrecht",
        str(figure.pk),
        "--as",
        official.username,
        "--erase",
        stdout=(out := _Out()),
    )
    body = json.loads(out.text)
    assert body["record"]["last_name"] == "Cohen" and body["erased"]["key_figure"] == [figure.pk]
    assert KeyFigure.objects.get(pk=figure.pk).last_name == f"#{figure.pk}"
    assert timezone.now()


class _Out:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass


def test_the_api_exports_and_erases_for_officials_only(person, api, people):
    figure, other, official, police, _ = person
    url = f"/api/v1/key-figures/{figure.pk}/"
    for user in (police, people.ally("utrecht", "sa")):
        assert api(user).get(f"{url}subject-access/").status_code == 403
        assert api(user).post(f"{url}erase/").status_code == 403
    assert api(official).get(f"/api/v1/key-figures/{10**9}/subject-access/").status_code == 404
    body = api(official).get(f"{url}subject-access/").json()
    assert body["record"]["last_name"] == "Cohen" and "Anderman" not in json.dumps(body)
    erased = api(official).post(f"{url}erase/")
    assert erased.status_code == 200 and erased.json()["key_figure"] == [figure.pk]
    assert KeyFigure.objects.get(pk=figure.pk).first_name == ANONYMISED
    assert KeyFigure.objects.get(pk=other.pk).first_name == "Anderman"


def test_erasure_takes_the_name_out_of_the_crisis_roll_call_snapshot(
    staff,  # noqa: F811
    make_council,  # noqa: F811
    in_utrecht,
) -> None:
    """The convening snapshot names everyone called up: the erased person's row loses the name,
    the others keep theirs (issue 13.5: crisis logs included)."""
    from tenants.crises.actions import do_declare_crisis
    from tenants.crises.models import CrisisEvent

    erased = make_key_figure(first_name="Miriam", last_name="Cohen")
    kept = make_key_figure(first_name="Anderman", last_name="Ander")
    council = make_council(allies=[erased, kept])
    crisis = do_declare_crisis(
        title="Onrust", kind="unrest", council_ids=[council.pk], acting_user=staff.official
    )
    snapshot = CrisisEvent.objects.get(crisis=crisis, kind="rollcall.convened")
    assert "Miriam" in json.dumps(snapshot.payload)  # the room shows given names

    result = do_erase_person(erased.pk, acting_user=staff.official)

    snapshot.refresh_from_db()
    text = json.dumps(snapshot.payload)
    assert "Cohen" not in text and "Miriam" not in text
    assert "Anderman" in text and ERASED_TEXT in text
    assert result["rollcall_snapshots"] == [snapshot.pk]


def test_erasure_takes_the_selection_notes_about_the_person(person, people, in_utrecht) -> None:
    """Review notes, home-visit notes and decision reasons are words about the person."""
    import datetime as dt

    people_membership = people.membership

    from tenants.selection.models import HomeVisit, Transition
    from tests.factories import SelectionCaseFactory, TransitionFactory

    figure, other, official, _, _ = person
    membership = people_membership(official)
    case = SelectionCaseFactory(key_figure=figure, opened_by=official)
    TransitionFactory(case=case, user=official, membership=membership, reason="Zij is Joods, synagoge")
    visit = HomeVisit.objects.create(
        case=case,
        visited_on=dt.date(2026, 6, 1),
        inclusive_answer="yes",
        inclusive_notes="Praat over haar geloof",
        open_to_society_answer="yes",
        wants_to_connect_answer="yes",
        helps_with_conflicts_answer="yes",
        recorded_by=official,
    )
    kept = SelectionCaseFactory(key_figure=other, opened_by=official)
    TransitionFactory(case=kept, user=official, membership=membership, reason="Niet van haar")

    result = do_erase_person(figure.pk, acting_user=official)

    assert Transition.objects.get(case=case).reason == ERASED_TEXT
    visit.refresh_from_db()
    assert visit.inclusive_notes == ERASED_TEXT
    assert Transition.objects.get(case=kept).reason == "Niet van haar"
    assert result["selection_cases"] == [case.pk]
