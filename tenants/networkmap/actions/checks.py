"""The checks every network-map action shares: who acts, which fields, whose membership.

Each action calls these first, so the rules of the package docstring (staff of this municipality
only, members of *this* municipality only, no unknown or read-only fields) are written once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from agora.accounts.actors import MemberProblem, current_municipality, find_member, require_staff
from agora.accounts.models import Membership
from tenants.networkmap.errors import (
    ALLY_STATUS_READ_ONLY,
    DUPLICATE_NAME,
    MEMBERSHIP_INACTIVE,
    MEMBERSHIP_OUTSIDE_MUNICIPALITY,
    MEMBERSHIP_WRONG_ROLE,
    NAME_REQUIRED,
    UNKNOWN_FIELD,
)
from tenants.networkmap.models import CityDistrict, Community, Neighbourhood


def municipality_here():
    """The municipality whose schema we are in; an action outside one is a programming error."""
    municipality = current_municipality()
    if municipality is None:
        raise RuntimeError("network map actions must run inside a municipality's schema")
    return municipality


def check_fields(data: Mapping[str, Any], allowed: frozenset[str]) -> None:
    """Refuse fields an action does not take; ``is_ally`` gets its own code (only selection sets it)."""
    municipality_here()
    if "is_ally" in data:
        raise ALLY_STATUS_READ_ONLY(fields={"is_ally": ["read-only"]})
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise UNKNOWN_FIELD(fields={name: ["unknown"] for name in unknown}, names=", ".join(unknown))


def check_acting_user(acting_user) -> None:
    """Refuse anyone but staff of this municipality (``None``: the platform, see the package docstring)."""
    municipality_here()
    if acting_user is not None:
        require_staff(acting_user)


def check_membership(membership: Membership | int | None, *, roles: Iterable[str], field: str) -> Membership:
    """The membership, if it is an active member of this municipality with one of ``roles``.

    A membership id that does not exist is reported like one of another municipality: either
    way it is not a member here, and the caller learns nothing about other municipalities.
    """
    municipality_here()
    roles = frozenset(roles)
    membership_id = membership.pk if isinstance(membership, Membership) else membership
    fields = {field: [str(membership_id)]}
    wanted = "/".join(sorted(str(role) for role in roles))
    return find_member(roles=roles, membership_id=membership_id).get(
        {
            MemberProblem.OUTSIDE: lambda: MEMBERSHIP_OUTSIDE_MUNICIPALITY(fields=fields),
            MemberProblem.WRONG_ROLE: lambda: MEMBERSHIP_WRONG_ROLE(fields=fields, role=wanted),
            MemberProblem.INACTIVE: lambda: MEMBERSHIP_INACTIVE(fields=fields),
        }
    )


# What each kind of record is called in the messages (English, Dutch).
_NAMES: dict[type, tuple[str, str]] = {
    CityDistrict: ("city district", "stadsdeel"),
    Community: ("community", "gemeenschap"),
    Neighbourhood: ("neighbourhood", "wijk"),
}


def check_unique(model, *, exclude_pk: int | None, field: str = "name", **lookup: Any) -> None:
    """Refuse a name taken by another record (checked here so the code is ours, not an IntegrityError)."""
    clash = model.objects.filter(**lookup)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        what, wat = _NAMES[model]
        raise DUPLICATE_NAME(fields={field: ["taken"]}, what=what, wat=wat)


def apply_changes(instance, data: Mapping[str, Any], *, skip: Iterable[str] = ()) -> list[str]:
    """Set plain fields on ``instance``; return the names that changed (for the audit row)."""
    changed = []
    for name, value in data.items():
        if name in skip:
            continue
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


def check_required_text(data: Mapping[str, Any], name: str) -> None:
    """Refuse a text field that is present but blank (absent from an update: unchanged)."""
    if name in data and not (data[name] or "").strip():
        raise NAME_REQUIRED(fields={name: ["required"]})
