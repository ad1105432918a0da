"""Onboarding: provisioning invites the first official with a one-time, expiring set-password link."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from agora.accounts.models import Membership, User
from agora.audit.models import AuditEvent
from agora.municipalities.models import Municipality
from agora.municipalities.onboarding import do_invite_official, invitation_path
from agora.municipalities.provisioning import host_for
from tests.helpers import assert_raises_code

LINK = re.compile(r"https://([a-z0-9.-]+)(/welkom/[^/\s]+/[^/\s]+/)")
GOOD_PASSWORD = "Wijkvergadering-2026!"


def test_create_municipality_invites_the_first_official(
    db, capsys, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "create_municipality",
            "'s-Hertogenbosch",
            "GM0796",
            unit="Oost-Brabant",
            district="'s-Hertogenbosch",
            official_email="J.de.Vries@S-Hertogenbosch.NL",
        )
    out = capsys.readouterr().out
    municipality = Municipality.objects.get(cbs_code="GM0796")
    printed = LINK.search(out)
    assert printed is not None, out
    assert printed.group(1) == host_for(municipality.slug)

    user = User.objects.get(email="J.de.Vries@s-hertogenbosch.nl")
    assert not user.has_usable_password()
    membership = Membership.objects.get(user=user, municipality=municipality)
    assert (membership.role, membership.is_active) == ("official", True)
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [user.email]
    assert printed.group(0) in mailoutbox[0].body  # the same link, mailed and printed
    event = AuditEvent.objects.get(action="municipalities.official_invited", municipality=municipality)
    assert event.detail == {"new_user": True, "link_sent": True}
    assert "vries" not in str(event.detail).lower()  # no address in the audit trail


@pytest.fixture
def invited(utrecht, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return do_invite_official(utrecht, "nieuw.ambtenaar@utrecht.nl", acting_user=None)


def test_the_link_sets_a_password_once_and_logs_in(invited, utrecht):
    path = invited.url.split(host_for(utrecht.slug), 1)[1]
    client = Client(HTTP_HOST=host_for(utrecht.slug))
    page = client.get(path)
    assert page.status_code == 200 and b"nieuw.ambtenaar@utrecht.nl" in page.content

    weak = client.post(path, {"new_password1": "123", "new_password2": "123"})
    assert weak.status_code == 400
    invited.user.refresh_from_db()
    assert not invited.user.has_usable_password()

    done = client.post(path, {"new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/"
    invited.user.refresh_from_db()
    assert invited.user.check_password(GOOD_PASSWORD)
    assert client.get("/").status_code == 200  # logged in on this host
    assert (
        AuditEvent.objects.filter(action="municipalities.invitation_accepted", actor=invited.user).count()
        == 1
    )

    again = Client(HTTP_HOST=host_for(utrecht.slug))
    assert again.get(path).status_code == 404  # used once
    reuse = again.post(path, {"new_password1": "Ander-wachtwoord-99", "new_password2": "Ander-wachtwoord-99"})
    assert reuse.status_code == 404
    invited.user.refresh_from_db()
    assert invited.user.check_password(GOOD_PASSWORD)


def test_the_link_works_only_on_its_municipality_and_not_after_expiry(invited, utrecht, amersfoort):
    path = invitation_path(invited.user)
    assert Client(HTTP_HOST=host_for(amersfoort.slug)).get(path).status_code == 404
    assert (
        Client(HTTP_HOST=host_for(utrecht.slug)).get(path.replace("/welkom/", "/welkom/x")).status_code == 404
    )
    with override_settings(AGORA_INVITATION_SECONDS=-1):
        expired = Client(HTTP_HOST=host_for(utrecht.slug)).post(
            path, {"new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD}
        )
    assert expired.status_code == 404
    invited.user.refresh_from_db()
    assert not invited.user.has_usable_password()


def test_who_may_invite_and_what_is_refused(utrecht, people):
    with assert_raises_code("permission_denied"):
        do_invite_official(utrecht, "a@b.nl", acting_user=people.official("utrecht"))
    with assert_raises_code("invitation_email_invalid"):
        do_invite_official(utrecht, "geen adres", acting_user=None)
    police = people.police("utrecht")
    police.email = "agent@politie.nl"
    police.save()
    with assert_raises_code("invitation_role_taken", status=409):
        do_invite_official(utrecht, "AGENT@politie.nl", acting_user=None)
    operator = User.objects.create_superuser("beheerder-onboarding", "beheer@agora.nl", GOOD_PASSWORD)
    existing = people.official("amersfoort")
    existing.email = "collega@amersfoort.nl"
    existing.save()
    invitation = do_invite_official(utrecht, "collega@amersfoort.nl", acting_user=operator)
    assert invitation.url == "" and not invitation.new_user  # keeps their password: no link
    assert Membership.objects.get(user=existing, municipality=utrecht).role == "official"


def test_the_operators_page_lists_municipalities_with_their_state(invited, utrecht, people, client, settings):
    page_host = settings.AGORA_BASE_DOMAIN
    anonymous = Client(HTTP_HOST=page_host).get("/beheer/gemeenten/")
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    official = Client(HTTP_HOST=page_host)
    official.force_login(people.official("utrecht"))
    assert official.get("/beheer/gemeenten/").status_code == 404  # only platform operators

    operator = Client(HTTP_HOST=page_host)
    operator.force_login(User.objects.create_superuser("beheerder-lijst", "lijst@agora.nl", GOOD_PASSWORD))
    page = operator.get("/beheer/gemeenten/")
    assert page.status_code == 200
    from agora.municipalities.status import municipality_statuses

    statuses = {s.slug: s for s in municipality_statuses()}
    utrecht_row = statuses["utrecht"]
    assert utrecht_row.schema_present and utrecht_row.migrated
    assert (utrecht_row.invitations_pending, utrecht_row.invitations_accepted) == (1, 0)
    assert utrecht_row.members == Membership.objects.filter(municipality=utrecht, is_active=True).count() >= 2
    assert utrecht_row.last_activity is not None
    html = page.content.decode()
    assert 'data-slug="utrecht"' in html and 'data-slug="amersfoort"' in html

    invited.user.set_password(GOOD_PASSWORD)
    invited.user.save()
    after = {s.slug: s for s in municipality_statuses()}["utrecht"]
    assert (after.invitations_pending, after.invitations_accepted) == (0, 1)
