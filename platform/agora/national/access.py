"""Who sees which district: deny by default, grants decide, and a refusal looks like absence.

``granted_districts(user)`` is the one answer every national read starts from. A district,
municipality or neighbourhood outside it is NOT_FOUND, exactly as an id that does not exist
(``access_<noun>_by_id``): the view never reveals that something it does not show exists.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from agora.errors import NOT_FOUND
from agora.geography.models import PoliceDistrict
from agora.ids import parse_id
from agora.municipalities.models import Municipality
from agora.national.models import LEVEL_RANK, GrantLevel, NationalGrant


@dataclass(frozen=True)
class Scope:
    """The districts a user may see now, each with the highest level a live grant gives."""

    levels: dict[int, str]

    @property
    def district_ids(self) -> list[int]:
        return sorted(self.levels)

    def level(self, district_id: int) -> str | None:
        return self.levels.get(district_id)

    def shows_contacts(self, district_id: int) -> bool:
        return self.levels.get(district_id) == GrantLevel.CONTACTS


NOTHING = Scope({})


def live_grants(user: Any, *, now: dt.datetime | None = None):
    """The user's grants in force at ``now``: started, not ended, not revoked."""
    now = now or timezone.now()
    return NationalGrant.objects.filter(
        analyst=user, revoked_at__isnull=True, valid_from__lte=now, valid_until__gt=now
    )


def granted_scope(user: Any, *, now: dt.datetime | None = None) -> Scope:
    """What ``user`` may see in the national view now (nothing unless an analyst with live grants)."""
    if not (getattr(user, "is_authenticated", False) and user.is_active and user.is_national_analyst):
        return NOTHING
    grants = list(live_grants(user, now=now).values_list("district_id", "unit_id", "level"))
    if not grants:
        return NOTHING
    by_district: dict[int, str] = {}
    by_unit: dict[int, str] = {}
    for district_id, unit_id, level in grants:
        target, key = (by_district, district_id) if district_id is not None else (by_unit, unit_id)
        if LEVEL_RANK[level] > LEVEL_RANK.get(target.get(key), 0):
            target[key] = level
    levels: dict[int, str] = {}
    for district_id, unit_id in PoliceDistrict.objects.filter(
        Q(pk__in=list(by_district)) | Q(unit_id__in=list(by_unit))
    ).values_list("pk", "unit_id"):
        candidates = [by_district.get(district_id), by_unit.get(unit_id)]
        levels[district_id] = max((c for c in candidates if c), key=LEVEL_RANK.__getitem__)
    return Scope(levels)


def districts_visible_to(user: Any, *, scope: Scope | None = None):
    """The granted districts (with their unit), as a queryset."""
    scope = scope if scope is not None else granted_scope(user)
    return PoliceDistrict.objects.filter(pk__in=scope.district_ids).select_related("unit")


def access_district_by_id(user: Any, district_id: Any, *, scope: Scope | None = None) -> PoliceDistrict:
    """A granted district; missing and not granted are the same NOT_FOUND."""
    scope = scope if scope is not None else granted_scope(user)
    pk = parse_id(district_id)
    if pk is None or scope.level(pk) is None:
        raise NOT_FOUND()
    district = PoliceDistrict.objects.select_related("unit").filter(pk=pk).first()
    if district is None:
        raise NOT_FOUND()
    return district


def access_municipality_by_id(
    user: Any, district: PoliceDistrict, municipality_id: Any, *, scope: Scope | None = None
) -> Municipality:
    """A municipality of a granted district (reached through that district); else NOT_FOUND."""
    scope = scope if scope is not None else granted_scope(user)
    pk = parse_id(municipality_id)
    if pk is None or scope.level(district.pk) is None:
        raise NOT_FOUND()
    municipality = Municipality.objects.filter(pk=pk, district=district).first()
    if municipality is None:
        raise NOT_FOUND()
    return municipality
