"""``/api/v1/notices/``: staff publish and see receipts; allies see and confirm their own notices."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tenants.utils import tenant_context

from tests.helpers import assert_error
from tests.tenants.signals.conftest import make_council

URL = "/api/v1/notices/"


def notice_body(**overrides) -> dict:
    data = {
        "title": "Inval drugspand Oog in Al",
        "description": "Vroeg in de ochtend; veel politie op straat.",
        "planned_start": (timezone.now() + timedelta(days=1)).isoformat(),
        "visibility": "confidential",
    }
    data.update(overrides)
    return data


def test_publish_confirm_and_receipts(town, people, api):
    council = make_council(people, [town.other_ally])
    police = api(town.police)
    response = police.post(
        URL, notice_body(recipient_ids=[town.ally.pk], council_id=council.pk), format="json"
    )
    assert response.status_code == 201, response.json()
    notice = response.json()
    assert (notice["recipient_count"], notice["read_count"], notice["issuer_role"]) == (2, 0, "police")

    ally = api(town.ally_user)
    listing = ally.get(URL).json()["results"]
    assert [row["id"] for row in listing] == [notice["id"]]
    assert listing[0]["read_at"] is None
    assert "recipient_count" not in listing[0]  # an ally does not see who else was informed
    confirmed = ally.post(f"{URL}{notice['id']}/confirm-read/")
    assert confirmed.status_code == 200
    assert confirmed.json()["read_at"] is not None

    receipts = {row["key_figure_id"]: row for row in police.get(f"{URL}{notice['id']}/receipts/").json()}
    assert receipts[town.ally.pk]["read_at"] is not None and receipts[town.ally.pk]["via_council"] is False
    assert (
        receipts[town.other_ally.pk]["read_at"] is None
        and receipts[town.other_ally.pk]["via_council"] is True
    )
    assert police.get(f"{URL}{notice['id']}/").json()["read_count"] == 1

    # The council member sees it too; the ally cannot see the receipts; staff cannot confirm.
    assert api(town.other_ally_user).get(f"{URL}{notice['id']}/").status_code == 200
    assert_error(ally.get(f"{URL}{notice['id']}/receipts/"), "permission_denied", 403)
    assert_error(police.post(f"{URL}{notice['id']}/confirm-read/"), "notice_read_by_recipient_only", 403)


def test_an_ally_sees_only_notices_addressed_to_them(town, people, api):
    police = api(town.police)
    notice = police.post(URL, notice_body(recipient_ids=[town.other_ally.pk]), format="json").json()
    ally = api(town.ally_user)
    assert ally.get(URL).json()["results"] == []
    assert_error(ally.get(f"{URL}{notice['id']}/"), "not_found", 404)
    assert_error(ally.post(f"{URL}{notice['id']}/confirm-read/"), "not_found", 404)
    assert_error(
        ally.post(URL, notice_body(recipient_ids=[town.ally.pk]), format="json"), "permission_denied", 403
    )


def test_rule_codes_through_the_api(town, amersfoort, amersfoort_town, people, api):
    with tenant_context(amersfoort):
        foreign_council = make_council(people, [amersfoort_town.ally], slug="amersfoort")
    official = api(town.official)
    cases = [
        (notice_body(recipient_ids=[town.non_ally.pk]), "notice_recipient_not_an_ally"),
        (notice_body(recipient_ids=[town.ally.pk, 10**9]), "notice_recipient_outside_municipality"),
        (notice_body(council_id=foreign_council.pk + 10**6), "notice_council_outside_municipality"),
        (notice_body(), "notice_without_recipients"),
        (
            notice_body(
                recipient_ids=[town.ally.pk], planned_start=(timezone.now() - timedelta(hours=1)).isoformat()
            ),
            "notice_planned_start_in_past",
        ),
    ]
    for data, code in cases:
        assert_error(official.post(URL, data, format="json"), code, 400)
    assert_error(
        official.post(URL, notice_body(visibility="public"), format="json"), "validation_failed", 400
    )
    assert official.get(URL).json()["results"] == []


def test_strangers_and_cross_tenant_ids(town, amersfoort, amersfoort_town, people, api):
    with tenant_context(amersfoort):
        from tenants.signals import actions

        foreign = actions.do_publish_notice(
            title="Amersfoort",
            description="Alleen in Amersfoort.",
            planned_start=timezone.now() + timedelta(days=2),
            recipient_ids=[amersfoort_town.ally.pk],
            acting_user=amersfoort_town.police,
        )
    assert_error(api(town.official).get(f"{URL}{foreign.pk}/"), "not_found", 404)
    assert_error(api(town.official).get(f"{URL}{foreign.pk}/receipts/"), "not_found", 404)
    assert_error(api(people.stranger()).get(URL), "permission_denied", 403)
    assert_error(api(amersfoort_town.ally_user, "utrecht").get(URL), "permission_denied", 403)


def test_an_ally_who_joins_the_council_later_sees_and_confirms(town, people, api):
    import datetime as dt

    council = make_council(people, [town.ally])
    police = api(town.police)
    notice = police.post(URL, notice_body(council_id=council.pk), format="json").json()
    newcomer = api(town.other_ally_user)
    assert_error(newcomer.get(f"{URL}{notice['id']}/"), "not_found", 404)

    council.members.create(key_figure=town.other_ally, joined_on=dt.date(2026, 3, 1))
    council.members.filter(key_figure=town.ally).update(left_on=dt.date(2026, 3, 1))
    assert [row["id"] for row in newcomer.get(URL).json()["results"]] == [notice["id"]]
    # The ally who left keeps what they were sent.
    assert api(town.ally_user).get(f"{URL}{notice['id']}/").status_code == 200

    receipts = police.get(f"{URL}{notice['id']}/receipts/").json()
    assert {(r["key_figure_id"], r["read_at"]) for r in receipts} == {
        (town.ally.pk, None),
        (town.other_ally.pk, None),
    }
    assert newcomer.post(f"{URL}{notice['id']}/confirm-read/").json()["read_at"] is not None
    receipts = {r["key_figure_id"]: r for r in police.get(f"{URL}{notice['id']}/receipts/").json()}
    assert receipts[town.other_ally.pk]["read_at"] is not None and receipts[town.other_ally.pk]["via_council"]
    assert receipts[town.ally.pk]["read_at"] is None


def test_the_receipts_log_a_read_of_exactly_the_allies_shown(town, people, api):
    """Receipts name allies (personal data): one read row per person listed, nobody else."""
    from agora.audit.models import PersonRecordRead

    council = make_council(people, [town.other_ally])
    police = api(town.police)
    notice = police.post(
        URL, notice_body(recipient_ids=[town.ally.pk], council_id=council.pk), format="json"
    ).json()
    before = PersonRecordRead.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    response = police.get(f"{URL}{notice['id']}/receipts/")
    assert response.status_code == 200
    shown = sorted(str(row["key_figure_id"]) for row in response.json())
    assert shown == sorted([str(town.ally.pk), str(town.other_ally.pk)])
    reads = PersonRecordRead.objects.filter(pk__gt=before)
    assert sorted(reads.values_list("record_id", flat=True)) == shown
    assert set(reads.values_list("record_type", "actor_id")) == {("networkmap.KeyFigure", town.police.pk)}
    assert town.non_ally.pk not in {int(pk) for pk in shown}
