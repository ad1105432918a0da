"""Staff mobile numbers live on the membership: set by the member or an official, E.164, audited."""

from __future__ import annotations

import pytest

from agora.accounts.actions import do_set_membership_mobile
from agora.audit.models import AuditEvent
from tests.helpers import assert_raises_code

pytestmark = pytest.mark.django_db


def test_a_police_officer_sets_their_own_number_in_e164(people, in_utrecht):
    officer = people.police(mobile="")
    membership = people.membership(officer)
    do_set_membership_mobile(membership.pk, "06-12345678", acting_user=officer)
    membership.refresh_from_db()
    assert membership.mobile == "+31612345678"
    event = AuditEvent.objects.get(action="accounts.membership.mobile_set")
    assert "+31612345678" not in str(event.detail)  # no number in the central log
    assert event.detail == {"had_number": False, "has_number": True, "role": "police"}


def test_an_official_sets_a_colleagues_number_but_police_may_not(people, in_utrecht):
    official, officer, colleague = people.official(), people.police(), people.police(key="2")
    do_set_membership_mobile(people.membership(officer).pk, "+31 6 1111 2222", acting_user=official)
    assert people.membership(officer).mobile == "+31611112222"
    with assert_raises_code("permission_denied", status=403):
        do_set_membership_mobile(people.membership(officer).pk, "0612345678", acting_user=colleague)


def test_one_officer_keeps_another_number_per_municipality(people, in_utrecht, amersfoort):
    officer = people.police(mobile="")
    people.member("police", "amersfoort", key="x")  # another user; the officer below joins too
    from agora.accounts.models import Membership

    there = Membership.objects.create(user=officer, municipality=amersfoort, role="police")
    do_set_membership_mobile(people.membership(officer).pk, "0612345678", acting_user=officer)
    there.refresh_from_db()
    assert there.mobile == ""  # Utrecht's number is not Amersfoort's


def test_bad_numbers_allies_strangers_and_other_municipalities_are_refused(people, in_utrecht, amersfoort):
    officer, ally, stranger = people.police(mobile=""), people.ally(), people.stranger()
    membership = people.membership(officer)
    with assert_raises_code("invalid_phone"):
        do_set_membership_mobile(membership.pk, "12", acting_user=officer)
    with assert_raises_code("not_found", status=404):
        do_set_membership_mobile(people.membership(ally).pk, "0612345678", acting_user=ally)
    with assert_raises_code("not_found", status=404):
        do_set_membership_mobile(membership.pk, "0612345678", acting_user=stranger)
    foreign = people.membership(people.police("amersfoort"), "amersfoort")
    with assert_raises_code("not_found", status=404):
        do_set_membership_mobile(foreign.pk, "0612345678", acting_user=people.official())
    membership.refresh_from_db()
    assert membership.mobile == ""
