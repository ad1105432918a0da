"""The staff forms added for issue 12: key figures (list, record, create, edit, contact moments),
planned-intervention notices with their receipts, a signal raised on an ally's behalf.

Each form must write through its action (the audit row proves it), show a refusal next to the
field it is about (in Dutch), write nothing on a refusal, and be refused to an ally.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from agora.audit.models import AuditEvent, PersonRecordRead
from tenants.networkmap.models import ContactMoment, KeyFigure
from tenants.signals.models import Notice, Signal
from tests.factories import (
    CommunityFactory,
    CouncilFactory,
    CouncilMemberFactory,
    KeyFigureFactory,
    NeighbourhoodFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(people, in_utrecht):
    official, police = people.official("utrecht"), people.police("utrecht")
    connection.set_tenant(in_utrecht)
    return official, police


def _back(tenant) -> None:
    """A request leaves the connection in whatever schema it served; come back to Utrecht's."""
    connection.set_tenant(tenant)


def _reads(user) -> set[str]:
    return set(PersonRecordRead.objects.filter(actor=user).values_list("record_id", flat=True))


# --- key figures -----------------------------------------------------------------------------


def test_the_list_filters_by_neighbourhood_and_community_and_logs_exactly_who_it_shows(
    web, staff, in_utrecht
) -> None:
    official, _ = staff
    north, south = NeighbourhoodFactory(name="Noord"), NeighbourhoodFactory(name="Zuid")
    farmers, traders = CommunityFactory(name="Boeren"), CommunityFactory(name="Handelaren")
    a = KeyFigureFactory(last_name="Aaltink", neighbourhood=north, communities=[farmers])
    b = KeyFigureFactory(last_name="Beumer", neighbourhood=north, communities=[traders])
    c = KeyFigureFactory(last_name="Colijn", neighbourhood=south, communities=[farmers])
    client = web(official)
    page = client.get(f"/sleutelfiguren/?neighbourhood={north.pk}").content.decode()
    _back(in_utrecht)
    assert "Aaltink" in page and "Beumer" in page and "Colijn" not in page
    assert _reads(official) == {str(a.pk), str(b.pk)}
    page = client.get(f"/sleutelfiguren/?neighbourhood={north.pk}&community={farmers.pk}").content.decode()
    assert "Aaltink" in page and "Beumer" not in page and "Colijn" not in page
    page = client.get(f"/sleutelfiguren/?community={farmers.pk}&q=colij").content.decode()
    _back(in_utrecht)
    assert "Colijn" in page and "Aaltink" not in page
    assert _reads(official) == {str(a.pk), str(b.pk), str(c.pk)}


def test_create_goes_through_the_action_and_never_makes_an_ally(web, staff, in_utrecht) -> None:
    official, _ = staff
    hood, community = NeighbourhoodFactory(), CommunityFactory()
    form = {
        "first_name": "Samira",
        "last_name": "El Idrissi",
        "mobile": "06 12345678",
        "neighbourhood": hood.pk,
        "communities": [community.pk],
        "nominated_by_police": "on",
        "is_ally": "on",  # not a field of the form: ignored, only the selection makes allies
    }
    response = web(official).post("/sleutelfiguren/nieuw/", form)
    _back(in_utrecht)
    person = KeyFigure.objects.get(last_name="El Idrissi")
    assert response.status_code == 302 and response["Location"] == f"/sleutelfiguren/{person.pk}/"
    assert person.mobile == "+31612345678" and not person.is_ally and person.nominated_by_police
    assert list(person.communities.all()) == [community]
    assert AuditEvent.objects.filter(
        action="networkmap.key_figure.created", object_id=str(person.pk)
    ).exists()


def test_a_refusal_is_shown_next_to_its_field_and_nothing_is_written(web, staff, in_utrecht) -> None:
    official, _ = staff
    response = web(official).post(
        "/sleutelfiguren/nieuw/", {"first_name": "Jan", "last_name": "Smit", "mobile": "12"}
    )
    _back(in_utrecht)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="id_mobile-error"' in body and "geen geldig telefoonnummer" in body
    assert not KeyFigure.objects.filter(last_name="Smit").exists()


def test_edit_changes_only_what_was_changed_and_keeps_the_ally_rules(web, staff, in_utrecht) -> None:
    official, _ = staff
    hood = NeighbourhoodFactory()
    ally = KeyFigureFactory(last_name="Vos", ally=True, neighbourhood=hood, represents="moskee")
    client = web(official)
    edit = client.get(f"/sleutelfiguren/{ally.pk}/wijzigen/")
    assert edit.status_code == 200 and 'value="Vos"' in edit.content.decode()
    assert "<legend>Gemeenschappen</legend>" in edit.content.decode()  # no English label left
    unchanged = {
        "first_name": ally.first_name,
        "last_name": "Vos",
        "mobile": ally.mobile,
        "neighbourhood": hood.pk,
    }
    response = client.post(
        f"/sleutelfiguren/{ally.pk}/wijzigen/", {**unchanged, "represents": "moskee en buurt"}
    )
    _back(in_utrecht)
    assert response.status_code == 302
    event = AuditEvent.objects.filter(action="networkmap.key_figure.updated", object_id=str(ally.pk)).get()
    assert event.detail == {"fields": ["represents"]}
    # An ally cannot be turned into a professional representative (the selection's hard rule).
    response = client.post(
        f"/sleutelfiguren/{ally.pk}/wijzigen/",
        {**unchanged, "represents": "moskee en buurt", "is_professional_representative": "on"},
    )
    _back(in_utrecht)
    assert response.status_code == 200 and 'class="error"' in response.content.decode()
    ally.refresh_from_db()
    assert not ally.is_professional_representative and ally.is_ally


def test_the_record_shows_and_records_contact_moments(web, staff, in_utrecht) -> None:
    _, police = staff
    person = KeyFigureFactory(last_name="Mulder")
    client = web(police)
    page = client.get(f"/sleutelfiguren/{person.pk}/")
    _back(in_utrecht)
    assert page.status_code == 200 and "Mulder" in page.content.decode()
    # A date input takes ISO dates only: a Dutch "02-12-2026" would show an empty field.
    assert f'value="{timezone.localdate().isoformat()}"' in page.content.decode()
    assert str(person.pk) in _reads(police)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = client.post(
        f"/sleutelfiguren/{person.pk}/",
        {"date": yesterday.isoformat(), "kind": "visit", "note": "Koffie bij de moskee", "follow_up_on": ""},
    )
    _back(in_utrecht)
    assert response.status_code == 302
    contact = ContactMoment.objects.get(key_figure=person)
    assert contact.note == "Koffie bij de moskee" and contact.membership.user == police
    person.refresh_from_db()
    assert person.last_contact_on == yesterday
    assert "Koffie bij de moskee" in client.get(f"/sleutelfiguren/{person.pk}/").content.decode()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    refused = client.post(f"/sleutelfiguren/{person.pk}/", {"date": tomorrow.isoformat(), "kind": "phone"})
    _back(in_utrecht)
    assert refused.status_code == 200 and "niet in de toekomst" in refused.content.decode()
    assert ContactMoment.objects.filter(key_figure=person).count() == 1


def test_key_figure_pages_are_staff_only_and_other_municipalities_are_404(
    web, people, staff, in_utrecht, amersfoort
) -> None:
    official, _ = staff
    person = KeyFigureFactory()
    ally = people.ally("utrecht")
    for path in ("/sleutelfiguren/", "/sleutelfiguren/nieuw/", f"/sleutelfiguren/{person.pk}/"):
        assert web(ally).get(path).status_code == 403
    _back(in_utrecht)
    assert web(official).get("/sleutelfiguren/999999/").status_code == 404
    assert web(official).get("/sleutelfiguren/٣/").status_code == 404
    # Amersfoort's official on Amersfoort's host does not reach Utrecht's record by its id.
    other = people.official("amersfoort")
    connection.set_tenant(amersfoort)
    assert not KeyFigure.objects.filter(pk=person.pk).exists()
    assert web(other, "amersfoort").get(f"/sleutelfiguren/{person.pk}/").status_code == 404


# --- notices ---------------------------------------------------------------------------------


def _council_with_allies(people, n: int = 2):
    official, police = people.official("utrecht"), people.police("utrecht")
    council = CouncilFactory(
        municipal_lead=people.membership(official), police_lead=people.membership(police)
    )
    seats = [CouncilMemberFactory(council=council) for _ in range(n)]
    return council, [seat.key_figure for seat in seats]


def _notice_form(**extra) -> dict:
    start = timezone.localtime() + dt.timedelta(days=2)
    return {
        "title": "Inval Kanaleneiland",
        "description": "Morgen vroeg; vertel het pas na zevenen.",
        "planned_start": start.strftime("%Y-%m-%dT%H:%M"),
        "visibility": "confidential",
        **extra,
    }


def test_a_notice_reaches_the_councils_allies_and_the_receipts_show_who_confirmed(
    web, people, staff, in_utrecht
) -> None:
    _, police = staff
    council, allies = _council_with_allies(people)
    reader = people.member("ally", "utrecht", "lezer")
    KeyFigure.objects.filter(pk=allies[0].pk).update(user=reader)
    client = web(police)
    form = client.get(f"/meldingen/nieuw/?overleg={council.pk}").content.decode()
    assert f'<option value="{council.pk}" selected>' in form
    response = client.post("/meldingen/nieuw/", _notice_form(council=council.pk))
    _back(in_utrecht)
    notice = Notice.objects.get(title="Inval Kanaleneiland")
    assert response.status_code == 302 and response["Location"] == f"/meldingen/{notice.pk}/"
    assert {r.key_figure_id for r in notice.recipients.all()} == {a.pk for a in allies}
    page = client.get(f"/meldingen/{notice.pk}/").content.decode()
    assert "0 van 2 bondgenoten" in page and allies[0].last_name in page

    assert web(reader).post(f"/mijn/berichten/{notice.pk}/gelezen/").status_code == 302
    page = client.get(f"/meldingen/{notice.pk}/").content.decode()
    assert "1 van 2 bondgenoten" in page
    listing = client.get("/meldingen/").content.decode()
    assert "Inval Kanaleneiland" in listing and "1 van 2" in listing


def test_a_notice_to_chosen_allies_and_its_refusals(web, people, staff, in_utrecht) -> None:
    official, _ = staff
    chosen = KeyFigureFactory(ally=True, last_name="Gekozen")
    not_an_ally = KeyFigureFactory(last_name="Geenbondgenoot")
    client = web(official)
    assert client.post("/meldingen/nieuw/", _notice_form(recipients=[chosen.pk])).status_code == 302
    _back(in_utrecht)
    assert list(Notice.objects.get().recipients.values_list("key_figure_id", flat=True)) == [chosen.pk]
    nobody = client.post("/meldingen/nieuw/", _notice_form(title="Niemand"))
    past = (timezone.localtime() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    too_late = client.post(
        "/meldingen/nieuw/", _notice_form(title="Te laat", planned_start=past, recipients=[chosen.pk])
    )
    stranger = client.post("/meldingen/nieuw/", _notice_form(title="Vreemde", recipients=[not_an_ally.pk]))
    _back(in_utrecht)
    assert "ten minste één bondgenoot" in nobody.content.decode()
    assert "niet in het verleden" in too_late.content.decode()
    assert stranger.status_code == 200 and 'class="error"' in stranger.content.decode()  # not offered
    assert Notice.objects.count() == 1


def test_notice_pages_are_refused_to_an_ally(web, people, staff) -> None:
    ally = people.ally("utrecht")
    for path in ("/meldingen/", "/meldingen/nieuw/"):
        assert web(ally).get(path).status_code == 403


# --- a signal on an ally's behalf ------------------------------------------------------------


def test_staff_raise_a_signal_on_an_allys_behalf_and_the_ally_sees_it(web, people, staff, in_utrecht) -> None:
    official, _ = staff
    hood = NeighbourhoodFactory()
    ally_user = people.member("ally", "utrecht", "beller")
    ally = KeyFigureFactory(ally=True, user=ally_user, last_name="Beller")
    response = web(official).post(
        "/signalen/nieuw/",
        {
            "ally": ally.pk,
            "category": "illegal_dumping",
            "neighbourhood": hood.pk,
            "description": "Matrassen",
        },
    )
    _back(in_utrecht)
    signal = Signal.objects.get(description="Matrassen")
    assert response.status_code == 302 and response["Location"] == f"/signalen/{signal.pk}/"
    assert signal.ally == ally and signal.raised_by == official
    event = AuditEvent.objects.get(action="signal.raised", object_id=str(signal.pk))
    assert event.detail["on_behalf"] is True
    assert "Matrassen" in web(ally_user).get(f"/mijn/signalen/{signal.pk}/").content.decode()


def test_a_signal_on_behalf_needs_an_ally(web, people, staff, in_utrecht) -> None:
    official, _ = staff
    hood = NeighbourhoodFactory()
    nominee = KeyFigureFactory(last_name="Kandidaat")
    response = web(official).post(
        "/signalen/nieuw/",
        {"ally": nominee.pk, "category": "other", "neighbourhood": hood.pk, "description": "Iets"},
    )
    _back(in_utrecht)
    assert response.status_code == 200 and 'id="id_ally-error"' in response.content.decode()
    assert not Signal.objects.exists()
    assert web(people.ally("utrecht")).get("/signalen/nieuw/").status_code == 403


# --- nomination imports ----------------------------------------------------------------------


def test_an_import_preview_writes_nothing_and_the_recent_imports_show_it(web, staff, in_utrecht) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tenants.nominations.models import ImportRun

    official, _ = staff
    hood, community = NeighbourhoodFactory(name="Overvecht"), CommunityFactory(name="Marokkaans")
    body = (
        "Voornaam;Tussenvoegsel;Achternaam;Mobiel;E-mail;Wijk;Gemeenschap\r\n"
        f"Karim;;Voorbeeldsma;+31612340000;;{hood.name};{community.name}\r\n"
    ).encode()
    upload = SimpleUploadedFile("gemeente.csv", body, content_type="text/csv")
    response = web(official).post(
        "/selectie/", {"do": "import", "source": "municipality", "file": upload, "dry_run": "on"}
    )
    _back(in_utrecht)
    page = response.content.decode()
    assert response.status_code == 200 and 'id="import-report"' in page and "Voorbeeld" in page
    assert not KeyFigure.objects.filter(last_name="Voorbeeldsma").exists()
    run = ImportRun.objects.get(file_name="gemeente.csv")
    assert run.dry_run and run.total_rows == 1
    table = page.split('id="import-table"', 1)[1]
    assert "gemeente.csv" in table and "alleen voorbeeld" in table
