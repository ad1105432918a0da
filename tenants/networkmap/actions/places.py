"""City districts (stadsdelen) and neighbourhoods (wijken): where the map's people live.

A neighbourhood carries its police officers and municipal contact, so the boundary rule (members
of this municipality only) is checked here through :func:`check_membership`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.db import transaction

from agora.accounts.roles import Role
from agora.audit.actions import record_action
from agora.names import clean_name
from tenants.networkmap.actions.checks import (
    apply_changes,
    check_acting_user,
    check_fields,
    check_membership,
    check_required_text,
    check_unique,
    municipality_here,
)
from tenants.networkmap.errors import IN_USE, INVALID_CBS_CODE
from tenants.networkmap.models import CityDistrict, Neighbourhood

NEIGHBOURHOOD_CODE = re.compile(r"^WK\d{6}$")
NEIGHBOURHOOD_FIELDS = frozenset(
    {"name", "cbs_code", "city_district", "police_officers", "municipal_contact"}
)
CITY_DISTRICT_FIELDS = frozenset({"name"})


@transaction.atomic
def do_create_city_district(data: Mapping[str, Any], *, acting_user) -> CityDistrict:
    """A new city district (stadsdeel), to group neighbourhoods."""
    check_acting_user(acting_user)
    check_fields(data, CITY_DISTRICT_FIELDS)
    check_required_text({"name": data.get("name", "")}, "name")
    name = clean_name(data["name"], "name")
    check_unique(CityDistrict, exclude_pk=None, name__iexact=name)
    district = CityDistrict.objects.create(name=name)
    record_action("networkmap.city_district.created", actor=acting_user, obj=district)
    return district


@transaction.atomic
def do_update_city_district(
    district: CityDistrict, changes: Mapping[str, Any], *, acting_user
) -> CityDistrict:
    check_acting_user(acting_user)
    check_fields(changes, CITY_DISTRICT_FIELDS)
    check_required_text(changes, "name")
    district = CityDistrict.objects.select_for_update().get(pk=district.pk)
    if "name" in changes:
        name = clean_name(changes["name"], "name")
        check_unique(CityDistrict, exclude_pk=district.pk, name__iexact=name)
        changes = {**changes, "name": name}
    changed = apply_changes(district, changes)
    if changed:
        district.save()
        record_action(
            "networkmap.city_district.updated", actor=acting_user, obj=district, detail={"fields": changed}
        )
    return district


@transaction.atomic
def do_delete_city_district(district: CityDistrict, *, acting_user) -> None:
    """Delete a grouping; its neighbourhoods stay, ungrouped."""
    check_acting_user(acting_user)
    record_action("networkmap.city_district.deleted", actor=acting_user, obj=district)
    district.delete()


def clean_neighbourhood_code(raw: str) -> str:
    """A CBS neighbourhood code (WK + this municipality's four digits + two), or empty."""
    code = (raw or "").strip().upper()
    if not code:
        return ""
    municipality = municipality_here()
    own_digits = (municipality.cbs_code or "")[2:]
    if not NEIGHBOURHOOD_CODE.match(code) or (own_digits and code[2:6] != own_digits):
        raise INVALID_CBS_CODE(fields={"cbs_code": [raw]}, raw=raw, form=f"WK{own_digits or '0000'}NN")
    return code


def clean_neighbourhood_data(data: Mapping[str, Any]) -> dict[str, Any]:
    """Normalise and check neighbourhood input (also used by the admin form before saving)."""
    check_fields(data, NEIGHBOURHOOD_FIELDS)
    check_required_text(data, "name")
    cleaned = dict(data)
    if "name" in cleaned:
        cleaned["name"] = clean_name(cleaned["name"], "name")
    if "cbs_code" in cleaned:
        cleaned["cbs_code"] = clean_neighbourhood_code(cleaned["cbs_code"])
    if "police_officers" in cleaned:
        officers = {}
        for item in cleaned["police_officers"] or ():
            membership = check_membership(item, roles={Role.POLICE}, field="police_officers")
            officers[membership.pk] = membership
        cleaned["police_officers"] = list(officers.values())
    if cleaned.get("municipal_contact") is not None:
        cleaned["municipal_contact"] = check_membership(
            cleaned["municipal_contact"], roles={Role.OFFICIAL}, field="municipal_contact"
        )
    return cleaned


def _save_neighbourhood(
    neighbourhood: Neighbourhood, cleaned: dict[str, Any], *, acting_user, created: bool
) -> Neighbourhood:
    if "name" in cleaned:
        check_unique(Neighbourhood, exclude_pk=neighbourhood.pk, name__iexact=cleaned["name"])
    changed = apply_changes(neighbourhood, cleaned, skip={"police_officers"})
    if created or changed:
        neighbourhood.save()
    if "police_officers" in cleaned:
        wanted = {m.pk for m in cleaned["police_officers"]}
        current = set(neighbourhood.police_officers.values_list("pk", flat=True)) if not created else set()
        if wanted != current:
            neighbourhood.police_officers.set(cleaned["police_officers"])
            changed.append("police_officers")
    if created:
        record_action("networkmap.neighbourhood.created", actor=acting_user, obj=neighbourhood)
    elif changed:
        record_action(
            "networkmap.neighbourhood.updated",
            actor=acting_user,
            obj=neighbourhood,
            detail={"fields": changed},
        )
    return neighbourhood


@transaction.atomic
def do_create_neighbourhood(data: Mapping[str, Any], *, acting_user) -> Neighbourhood:
    """A neighbourhood (wijk) with its neighbourhood police officers and municipal contact."""
    check_acting_user(acting_user)
    cleaned = clean_neighbourhood_data({"name": "", **data})
    return _save_neighbourhood(Neighbourhood(), cleaned, acting_user=acting_user, created=True)


@transaction.atomic
def do_update_neighbourhood(
    neighbourhood: Neighbourhood, changes: Mapping[str, Any], *, acting_user
) -> Neighbourhood:
    check_acting_user(acting_user)
    cleaned = clean_neighbourhood_data(changes)
    neighbourhood = Neighbourhood.objects.select_for_update().get(pk=neighbourhood.pk)
    return _save_neighbourhood(neighbourhood, cleaned, acting_user=acting_user, created=False)


@transaction.atomic
def do_delete_neighbourhood(neighbourhood: Neighbourhood, *, acting_user) -> None:
    """Only a neighbourhood where no key figure lives can go."""
    check_acting_user(acting_user)
    if neighbourhood.residents.exists():
        raise IN_USE(what="neighbourhood", wat="wijk")
    record_action(
        "networkmap.neighbourhood.deleted",
        actor=acting_user,
        obj=neighbourhood,
    )
    neighbourhood.delete()
