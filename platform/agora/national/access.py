"""Who sees which district: deny by default, grants decide, and a refusal looks like absence.

``granted_districts(user)`` is the one answer every national read starts from. A district,
municipality or neighbourhood outside it is NOT_FOUND, exactly as an id that does not exist
(``access_<noun>_by_id``): the view never reveals that something it does not show exists.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection
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
    """What ``user`` may see now (nothing unless an analyst with live grants), in one statement.

    A grant covers its district, or every district of its unit; where several cover a district,
    the highest level wins.
    """
    if not _may_hold_grants(user):
        return NOTHING
    now = now or timezone.now()
    levels: dict[int, str] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT d.id, g.level FROM national_nationalgrant g JOIN geography_policedistrict d"
            " ON d.id = g.district_id OR d.unit_id = g.unit_id"
            " WHERE g.analyst_id = %s AND g.revoked_at IS NULL AND g.valid_from <= %s AND g.valid_until > %s",
            [user.pk, now, now],
        )
        for district_id, level in cursor.fetchall():
            if LEVEL_RANK[level] > LEVEL_RANK.get(levels.get(district_id), 0):
                levels[district_id] = level
    return Scope(levels)


def _may_hold_grants(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_national_analyst)


def next_scope_change(user: Any, *, now: dt.datetime | None = None) -> dt.datetime | None:
    """The next moment ``user``'s scope changes by the clock alone: a live grant ends or a future one starts.

    A live socket re-reads its scope then (``realtime.national``); revocations and edits do not
    wait for it, they notify the socket when they commit.
    """
    if not _may_hold_grants(user):
        return None
    now = now or timezone.now()
    grants = NationalGrant.objects.filter(analyst=user, revoked_at__isnull=True, valid_until__gt=now)
    moments = [
        valid_until if valid_from <= now else valid_from
        for valid_from, valid_until in grants.values_list("valid_from", "valid_until")
    ]
    return min(moments, default=None)


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
