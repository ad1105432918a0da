"""Open crises in the national view: per municipality and district, their roll-call as counts,
from the read model the crisis tables feed in their own transactions; 404 unless granted."""

from __future__ import annotations

import json

from django.db import connection
from django_tenants.utils import tenant_context

from agora.accounts.models import Membership
from agora.national import queries

MISSING = 987654321


def _declare(national, slug: str, *, drill: bool = False) -> int:
    from tenants.councils.models import Council
    from tenants.crises.actions import do_declare_crisis, do_start_drill
    from tenants.crises.models import CrisisSettings

    municipality = national.municipalities[slug]
    official, police = (
        Membership.objects.select_related("user").get(pk=pk).user
        for pk in national.lead_membership_ids[slug][:2]
    )
    with tenant_context(municipality):
        CrisisSettings.objects.update_or_create(singleton=True, defaults={"quorum_allies": 0})
        council = Council.objects.get(name=f"Bondgenotenoverleg {municipality.name}")
        if drill:
            crisis = do_start_drill(council, acting_user=official)
        else:
            crisis = do_declare_crisis(
                title="Rellen Zebulon-straat", kind="unrest", council_ids=[council.pk], acting_user=official
            )
    connection.set_schema_to_public()
    national.secrets.add("Rellen Zebulon-straat")
    return crisis.pk, official, police


def _respond(municipality, crisis_id: int, user, answer: str) -> None:
    from tenants.crises.actions import do_respond

    with tenant_context(municipality):
        do_respond(crisis_id, answer=answer, eta_minutes=5 if answer != "unable" else None, acting_user=user)
    connection.set_schema_to_public()


def test_open_crises_with_their_rollcall_counts(national, analyst, grant, public_api) -> None:
    utrecht = national.municipalities["utrecht"]
    user = analyst()
    grant(user, district=utrecht.district)
    crisis_id, official, police = _declare(national, "utrecht")
    _declare(national, "utrecht", drill=True)  # a drill is no crisis
    client = public_api(user)
    base = f"/api/v1/national/districts/{utrecht.district_id}/municipalities/{utrecht.pk}/"
    detail = client.get(base).json()
    [listed] = detail["crisis_list"]  # the two leads and the council's seated ally
    assert listed["id"] == crisis_id and listed["quorum_reached"] is False
    assert listed["rollcall"] == {
        "convened": 3,
        "coming": 0,
        "remote": 0,
        "unable": 0,
        "no_answer": 3,
        "unreachable": 0,
    }
    assert detail["crises"]["open"] == 1

    _respond(utrecht, crisis_id, official, "coming")
    listed = client.get(base).json()["crisis_list"][0]
    assert (listed["rollcall"]["coming"], listed["rollcall"]["no_answer"], listed["quorum_reached"]) == (
        1,
        2,
        False,
    )
    _respond(utrecht, crisis_id, police, "remote")
    listed = client.get(base).json()["crisis_list"][0]
    assert (listed["rollcall"]["remote"], listed["rollcall"]["no_answer"], listed["quorum_reached"]) == (
        1,
        1,
        True,
    )
    district = client.get("/api/v1/national/districts/").json()["districts"]
    assert [d["crises"]["open"] for d in district] == [1]
    assert district[0]["crises"]["quorum_reached"] == 1
    # Counts at summary level: neither the title nor who declared it.
    crisis = client.get(base + f"crises/{crisis_id}/")
    assert crisis.status_code == 200 and crisis.json()["rollcall"]["coming"] == 1
    body = json.dumps([detail, crisis.json()]) + client.get(base).content.decode()
    assert not [s for s in national.secrets if s in body]
    # The page shows them too.
    from django.conf import settings
    from django.test import Client

    pages = Client(HTTP_HOST=settings.AGORA_BASE_DOMAIN, HTTP_ACCEPT_LANGUAGE="en")
    pages.force_login(user)
    page = pages.get(
        f"/national/districts/{utrecht.district_id}/municipalities/{utrecht.pk}/"
    ).content.decode()
    assert f'data-crisis="{crisis_id}"' in page

    from tenants.crises.actions import do_close_crisis

    with tenant_context(utrecht):
        do_close_crisis(crisis_id, acting_user=official)
    connection.set_schema_to_public()
    assert client.get(base).json()["crisis_list"] == []
    assert client.get(base + f"crises/{crisis_id}/").json()["status"] == "closed"


def test_ungranted_and_drill_crises_answer_404_like_missing_ones(
    national, analyst, grant, public_api
) -> None:
    utrecht, amersfoort = national.municipalities["utrecht"], national.municipalities["amersfoort"]
    crisis_id, _, _ = _declare(national, "utrecht")
    drill_id, _, _ = _declare(national, "utrecht", drill=True)
    user = analyst()
    grant(user, district=amersfoort.district)
    client = public_api(user)
    missing = client.get(f"/api/v1/national/districts/{MISSING}/").json()
    urls = [
        f"/api/v1/national/districts/{utrecht.district_id}/municipalities/{utrecht.pk}/crises/{crisis_id}/",
        # Through a granted district, another district's municipality does not exist.
        f"/api/v1/national/districts/{amersfoort.district_id}/municipalities/{utrecht.pk}/crises/{crisis_id}/",
        # Utrecht's crisis id asked in Amersfoort (granted): not Amersfoort's crisis.
        f"/api/v1/national/districts/{amersfoort.district_id}/municipalities/{amersfoort.pk}/crises/{crisis_id}/",
        f"/api/v1/national/districts/{amersfoort.district_id}/municipalities/{amersfoort.pk}/crises/{MISSING}/",
        f"/api/v1/national/districts/{amersfoort.district_id}/municipalities/{amersfoort.pk}/crises/x/",
    ]
    for url in urls:
        response = client.get(url)
        assert (response.status_code, response.json()) == (404, missing), url
    granted = analyst()
    grant(granted, district=utrecht.district)
    drill = public_api(granted).get(
        f"/api/v1/national/districts/{utrecht.district_id}/municipalities/{utrecht.pk}/crises/{drill_id}/"
    )
    assert (drill.status_code, drill.json()) == (404, missing)
    assert queries.national_overview(user)["districts"][0]["crises"]["open"] == 0


def test_dutch_pages_show_words_not_codes_and_local_times(national, analyst, grant) -> None:
    """What a reader sees: the grant level, gaps, lead roles and crisis kind in Dutch, never the
    read model's codes, and the declaration at the same (Amsterdam) time as on Utrecht's pages."""
    import re

    from django.conf import settings
    from django.test import Client
    from django.utils import timezone

    from agora.national.labels import FIGURES, GAPS, ROLES
    from tenants.crises.models import Crisis

    crisis_id, _, _ = _declare(national, "utrecht")
    utrecht = national.municipalities["utrecht"]
    with tenant_context(utrecht):
        declared_at = Crisis.objects.get(pk=crisis_id).declared_at
    connection.set_schema_to_public()
    user = analyst()
    grant(user, district=utrecht.district, level="contacts")
    client = Client(HTTP_HOST=settings.AGORA_BASE_DOMAIN, HTTP_ACCEPT_LANGUAGE="nl")
    client.force_login(user)
    base = f"/national/districts/{utrecht.district_id}/"
    pages = {
        "overview": "/national/",
        "district": base,
        "municipality": base + f"municipalities/{utrecht.pk}/",
        "export": f"/api/v1/national/districts/{utrecht.district_id}/export.html",
    }
    codes = {"summary", "contacts", "unrest", *GAPS, *ROLES, *FIGURES}
    texts = {}
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        # The text a reader sees: tags (and their attributes, where the codes may stay) removed.
        texts[name] = re.sub(r"<[^>]+>", " ", response.content.decode())
        words = set(re.findall(r"[a-z_]+", texts[name]))
        assert not words & codes, (name, sorted(words & codes))
    assert "samenvatting" in texts["overview"] or "contactgegevens" in texts["overview"]
    assert "onrust" in texts["municipality"]
    assert "Trekker gemeente" in texts["export"] and "Sleutelfiguren" in texts["export"]
    local = timezone.localtime(declared_at).strftime("%Y-%m-%d %H:%M")
    assert local in texts["municipality"], local
