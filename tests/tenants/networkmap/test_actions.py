"""The network map's actions: every rule refused with its stable code, audit rows, atomicity."""

from __future__ import annotations

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from agora.accounts.models import Membership
from agora.audit.models import AuditEvent
from tenants.networkmap import actions
from tenants.networkmap.models import Community, CommunityKind, ContactMoment, KeyFigure, Neighbourhood
from tests.helpers import assert_raises_code
from tests.tenants.networkmap.conftest import days_ago

# --- neighbourhoods and the boundary rule ---------------------------------------------------


def test_neighbourhood_with_own_staff_is_created_and_audited(in_utrecht, people):
    official, police = people.official(), people.police()
    neighbourhood = actions.do_create_neighbourhood(
        {
            "name": " Overvecht ",
            "cbs_code": "wk034403",
            "police_officers": [people.membership(police).pk],
            "municipal_contact": people.membership(official),
        },
        acting_user=official,
    )
    neighbourhood.refresh_from_db()
    assert neighbourhood.name == "Overvecht"
    assert neighbourhood.cbs_code == "WK034403"
    assert list(neighbourhood.police_officers.all()) == [people.membership(police)]
    assert neighbourhood.municipal_contact == people.membership(official)
    event = AuditEvent.objects.get(action="networkmap.neighbourhood.created")
    assert event.actor == official
    assert event.municipality == in_utrecht
    assert event.object_id == str(neighbourhood.pk)


def test_police_officer_of_another_municipality_is_refused(in_utrecht, people):
    foreign = people.membership(people.police("amersfoort"), "amersfoort")
    with assert_raises_code("membership_outside_municipality") as info:
        actions.do_create_neighbourhood(
            {"name": "Overvecht", "police_officers": [foreign]}, acting_user=people.official()
        )
    assert "police_officers" in info.value.fields
    assert not Neighbourhood.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="networkmap.").exists()


def test_municipal_contact_of_another_municipality_is_refused(in_utrecht, people):
    foreign = people.membership(people.official("amersfoort"), "amersfoort")
    with assert_raises_code("membership_outside_municipality"):
        actions.do_create_neighbourhood(
            {"name": "Oost", "municipal_contact": foreign}, acting_user=people.official()
        )


@pytest.mark.parametrize("membership_id", [987654321, 2**63, -4, "7"])
def test_unknown_membership_id_is_outside_the_municipality(in_utrecht, people, membership_id):
    with assert_raises_code("membership_outside_municipality"):
        actions.do_create_neighbourhood(
            {"name": "Oost", "police_officers": [membership_id]}, acting_user=people.official()
        )


def test_official_as_police_officer_is_the_wrong_role(in_utrecht, people):
    with assert_raises_code("membership_wrong_role"):
        actions.do_create_neighbourhood(
            {"name": "Oost", "police_officers": [people.membership(people.official())]},
            acting_user=people.official(),
        )


@pytest.mark.parametrize("role", ["police", "ally"])
def test_municipal_contact_must_be_an_official(in_utrecht, people, role):
    member = people.member(role, "utrecht")
    with assert_raises_code("membership_wrong_role"):
        actions.do_create_neighbourhood(
            {"name": "Oost", "municipal_contact": people.membership(member)}, acting_user=people.official()
        )


def test_inactive_membership_is_refused(in_utrecht, people):
    membership = people.membership(people.police())
    with schema_context("public"):
        Membership.objects.filter(pk=membership.pk).update(is_active=False)
    connection.set_tenant(in_utrecht)
    with assert_raises_code("membership_inactive"):
        actions.do_create_neighbourhood(
            {"name": "Oost", "police_officers": [membership]}, acting_user=people.official()
        )


def test_update_neighbourhood_checks_the_boundary_too(utrecht_map, people):
    foreign = people.membership(people.police("amersfoort"), "amersfoort")
    with assert_raises_code("membership_outside_municipality"):
        actions.do_update_neighbourhood(
            utrecht_map.oost, {"police_officers": [foreign]}, acting_user=utrecht_map.official
        )
    actions.do_update_neighbourhood(
        utrecht_map.oost,
        {"police_officers": [people.membership(utrecht_map.police)]},
        acting_user=utrecht_map.official,
    )
    assert list(utrecht_map.oost.police_officers.all()) == [people.membership(utrecht_map.police)]
    event = AuditEvent.objects.filter(action="networkmap.neighbourhood.updated").first()
    assert event.detail == {"fields": ["police_officers"]}


@pytest.mark.parametrize("code", ["WK030701", "WK03440", "BU03440301", "0344"])
def test_neighbourhood_code_must_be_of_this_municipality(in_utrecht, people, code):
    with assert_raises_code("invalid_cbs_code"):
        actions.do_create_neighbourhood({"name": "Oost", "cbs_code": code}, acting_user=people.official())


def test_neighbourhood_names_are_unique_case_insensitively(in_utrecht, people):
    actions.do_create_neighbourhood({"name": "Oost"}, acting_user=people.official())
    with assert_raises_code("networkmap_duplicate_name"):
        actions.do_create_neighbourhood({"name": "oost"}, acting_user=people.official())


def test_neighbourhood_where_key_figures_live_cannot_be_deleted(utrecht_map):
    with assert_raises_code("networkmap_in_use"):
        actions.do_delete_neighbourhood(utrecht_map.oost, acting_user=utrecht_map.official)
    empty = actions.do_create_neighbourhood({"name": "Leidsche Rijn"}, acting_user=utrecht_map.official)
    empty_pk = empty.pk
    actions.do_delete_neighbourhood(empty, acting_user=utrecht_map.official)
    assert not Neighbourhood.objects.filter(pk=empty_pk).exists()
    assert AuditEvent.objects.filter(
        action="networkmap.neighbourhood.deleted", object_id=str(empty_pk)
    ).exists()


# --- communities and city districts --------------------------------------------------------


def test_community_rules(utrecht_map):
    with assert_raises_code("networkmap_duplicate_name"):
        actions.do_create_community(
            {"kind": CommunityKind.RELIGIOUS, "name": "joods"}, acting_user=utrecht_map.official
        )
    # The same name as another kind is a different community.
    actions.do_create_community(
        {"kind": CommunityKind.GROUP, "name": "Joods"}, acting_user=utrecht_map.official
    )
    with assert_raises_code("networkmap_in_use"):
        actions.do_delete_community(utrecht_map.joods, acting_user=utrecht_map.official)
    eritrees_pk = utrecht_map.eritrees.pk
    actions.do_delete_community(utrecht_map.eritrees, acting_user=utrecht_map.official)
    assert not Community.objects.filter(pk=eritrees_pk).exists()
    with assert_raises_code("name_required"):
        actions.do_update_community(utrecht_map.joods, {"name": "  "}, acting_user=utrecht_map.official)


def test_community_kind_must_be_known(in_utrecht, people):
    with assert_raises_code("invalid_community_kind"):
        actions.do_create_community({"kind": "sect", "name": "X"}, acting_user=people.official())
    with assert_raises_code("invalid_community_kind"):
        actions.do_create_community({"name": "X"}, acting_user=people.official())


def test_duplicate_and_in_use_messages_name_the_record_in_both_languages(utrecht_map):
    with assert_raises_code("networkmap_duplicate_name") as info:
        actions.do_create_city_district({"name": "noord"}, acting_user=utrecht_map.official)
    assert info.value.message("en") == "There is already a city district with this name."
    assert info.value.message("nl") == "Er bestaat al een stadsdeel met deze naam."
    with assert_raises_code("networkmap_in_use") as info:
        actions.do_delete_community(utrecht_map.joods, acting_user=utrecht_map.official)
    assert info.value.message("nl") == "Deze gemeenschap is nog in gebruik en kan niet worden verwijderd."


def test_city_district_rename_and_delete_keeps_neighbourhoods(utrecht_map):
    actions.do_update_city_district(
        utrecht_map.district, {"name": "Noordoost"}, acting_user=utrecht_map.official
    )
    utrecht_map.district.refresh_from_db()
    assert utrecht_map.district.name == "Noordoost"
    actions.do_delete_city_district(utrecht_map.district, acting_user=utrecht_map.official)
    utrecht_map.overvecht.refresh_from_db()
    assert utrecht_map.overvecht.city_district is None


# --- key figures ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "06-12345678",
        "06 12 34 56 78",
        "0612345678",
        "+31 6 1234 5678",
        "0031612345678",
        "+31612345678",
        " 06-1234 5678 ",
    ],
)
def test_mobile_numbers_are_stored_in_e164(in_utrecht, people, raw):
    key_figure = actions.do_create_key_figure(
        {"first_name": "Fatima", "last_name": "Bouzid", "mobile": raw}, acting_user=people.official()
    )
    key_figure.refresh_from_db()
    assert key_figure.mobile == "+31612345678"


def test_foreign_mobile_numbers_keep_their_country(in_utrecht, people):
    key_figure = actions.do_create_key_figure(
        {"first_name": "Ali", "last_name": "Kaya", "mobile": "+90 532 123 45 67"},
        acting_user=people.official(),
    )
    assert key_figure.mobile == "+905321234567"


@pytest.mark.parametrize("raw", ["06-123", "bel me", "+31 6 1234 5678 999", "12345678901234567890"])
def test_invalid_mobile_is_refused(in_utrecht, people, raw):
    with assert_raises_code("invalid_phone") as info:
        actions.do_create_key_figure(
            {"first_name": "A", "last_name": "B", "mobile": raw}, acting_user=people.official()
        )
    assert info.value.fields == {"mobile": [raw]}
    assert not KeyFigure.objects.exists()


def test_empty_mobile_stays_empty(in_utrecht, people):
    key_figure = actions.do_create_key_figure(
        {"first_name": "A", "last_name": "B", "mobile": "  "}, acting_user=people.official()
    )
    assert key_figure.mobile == ""


def test_is_ally_can_never_be_set_from_the_network_map(utrecht_map):
    with assert_raises_code("ally_status_read_only"):
        actions.do_create_key_figure(
            {"first_name": "A", "last_name": "B", "is_ally": True}, acting_user=utrecht_map.official
        )
    with assert_raises_code("ally_status_read_only"):
        actions.do_update_key_figure(utrecht_map.fatima, {"is_ally": True}, acting_user=utrecht_map.official)
    utrecht_map.fatima.refresh_from_db()
    assert utrecht_map.fatima.is_ally is False


def test_unknown_fields_are_refused(utrecht_map):
    with assert_raises_code("unknown_field") as info:
        actions.do_update_key_figure(
            utrecht_map.fatima,
            {"last_contact_on": days_ago(1), "user": None},
            acting_user=utrecht_map.official,
        )
    assert set(info.value.fields) == {"last_contact_on", "user"}


@pytest.mark.parametrize(
    "data", [{"first_name": "", "last_name": "B"}, {"first_name": "A", "last_name": " "}, {}]
)
def test_names_are_required(in_utrecht, people, data):
    with assert_raises_code("name_required"):
        actions.do_create_key_figure(data, acting_user=people.official())


def test_invalid_email_is_refused_and_domain_lowercased(in_utrecht, people):
    with assert_raises_code("invalid_email"):
        actions.do_create_key_figure(
            {"first_name": "A", "last_name": "B", "email": "a@"}, acting_user=people.official()
        )
    key_figure = actions.do_create_key_figure(
        {"first_name": "A", "last_name": "B", "email": " Anna.B@Example.ORG "}, acting_user=people.official()
    )
    assert key_figure.email == "Anna.B@example.org"


def test_residence_code_rules(utrecht_map):
    official = utrecht_map.official
    with assert_raises_code("invalid_cbs_code"):
        actions.do_create_key_figure(
            {"first_name": "A", "last_name": "B", "residence_cbs_code": "0356"}, acting_user=official
        )
    # This municipality's own code means "lives here": stored empty.
    here = actions.do_create_key_figure(
        {
            "first_name": "A",
            "last_name": "B",
            "residence_cbs_code": "gm0344",
            "neighbourhood": utrecht_map.oost,
        },
        acting_user=official,
    )
    assert here.residence_cbs_code == ""
    # Living elsewhere and in a neighbourhood here at once is a contradiction.
    with assert_raises_code("residence_conflict"):
        actions.do_update_key_figure(here, {"residence_cbs_code": "GM0356"}, acting_user=official)
    here.refresh_from_db()
    assert here.residence_cbs_code == ""
    moved = actions.do_update_key_figure(
        here, {"residence_cbs_code": "GM0356", "neighbourhood": None}, acting_user=official
    )
    assert (moved.residence_cbs_code, moved.neighbourhood) == ("GM0356", None)


def test_update_audits_field_names_not_values(utrecht_map):
    actions.do_update_key_figure(
        utrecht_map.fatima,
        {"mobile": "06-87654321", "communities": [utrecht_map.jongeren], "first_name": "Fatima"},
        acting_user=utrecht_map.police,
    )
    utrecht_map.fatima.refresh_from_db()
    assert utrecht_map.fatima.mobile == "+31687654321"
    assert list(utrecht_map.fatima.communities.all()) == [utrecht_map.jongeren]
    event = AuditEvent.objects.filter(action="networkmap.key_figure.updated").get()
    assert event.actor == utrecht_map.police
    assert event.detail == {"fields": ["mobile", "communities"]}
    assert "87654321" not in str(event.detail)


def test_update_without_changes_writes_no_audit_row(utrecht_map):
    actions.do_update_key_figure(
        utrecht_map.fatima, {"first_name": "Fatima"}, acting_user=utrecht_map.official
    )
    assert not AuditEvent.objects.filter(action="networkmap.key_figure.updated").exists()


# --- contact moments -----------------------------------------------------------------------


def test_contact_moves_last_contact_forward_only(utrecht_map):
    fatima = utrecht_map.fatima
    assert fatima.last_contact_on is None
    contact = actions.do_record_contact(
        fatima, acting_user=utrecht_map.police, date=days_ago(20), kind="phone"
    )
    assert contact.membership.user == utrecht_map.police  # defaults to the acting user's membership
    fatima.refresh_from_db()
    assert fatima.last_contact_on == days_ago(20)
    actions.do_record_contact(fatima, acting_user=utrecht_map.police, date=days_ago(90), note="late entry")
    fatima.refresh_from_db()
    assert fatima.last_contact_on == days_ago(20)
    assert ContactMoment.objects.filter(key_figure=fatima).count() == 2
    assert (
        AuditEvent.objects.filter(
            action="networkmap.contact.recorded", actor=utrecht_map.police, detail__key_figure=fatima.pk
        ).count()
        == 2
    )


def test_contact_in_the_future_is_refused(utrecht_map):
    with assert_raises_code("contact_in_future"):
        actions.do_record_contact(utrecht_map.fatima, acting_user=utrecht_map.official, date=days_ago(-1))


def test_contact_kind_must_be_known(utrecht_map):
    with assert_raises_code("invalid_contact_kind"):
        actions.do_record_contact(utrecht_map.fatima, acting_user=utrecht_map.official, kind="carrier pigeon")


def test_contact_by_an_ally_membership_is_the_wrong_role(utrecht_map, people):
    with assert_raises_code("membership_wrong_role"):
        actions.do_record_contact(
            utrecht_map.fatima,
            acting_user=utrecht_map.official,
            membership=people.membership(people.ally("utrecht")),
        )


def test_contact_by_another_municipality_is_refused(utrecht_map, people):
    with assert_raises_code("membership_outside_municipality"):
        actions.do_record_contact(
            utrecht_map.fatima,
            acting_user=utrecht_map.official,
            membership=people.membership(people.police("amersfoort"), "amersfoort"),
        )
    # Without a membership here, the acting user may not record a contact at all.
    with assert_raises_code("permission_denied", status=403):
        actions.do_record_contact(utrecht_map.fatima, acting_user=people.police("amersfoort"))
    assert not ContactMoment.objects.filter(key_figure=utrecht_map.fatima).exists()


def test_actions_outside_a_municipality_are_a_programming_error(db, people):
    with pytest.raises(RuntimeError):
        actions.do_create_neighbourhood({"name": "Oost"}, acting_user=people.official())
