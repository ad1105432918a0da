"""Ids a client names, resolved into rows of THIS municipality, or refused at the border.

A council never crosses the municipal boundary: its leads are active members of this
municipality with the right role (``agora.accounts.actors.find_member``), its neighbourhoods
and allies are rows of this schema, and every ally obeys the selection's hard rules
(``tenants.selection.rules.check_ally_invariants``: no professional representative, lives
here). An id that cannot be one, or is not here, reads as "not of this municipality"
(``council_crosses_boundary``), so it reveals nothing about other municipalities.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from agora.accounts.actors import MemberProblem, find_member
from agora.accounts.models import Membership
from agora.accounts.roles import Role
from agora.errors import DomainError
from agora.ids import parse_id
from tenants.councils import errors
from tenants.networkmap.models import KeyFigure, Neighbourhood
from tenants.selection.rules import check_ally_invariants

_SIDE_LABELS = {
    "municipal": ("de gemeente", "municipal"),
    "police": ("de politie", "police"),
}
_ROLE_LABELS = {
    Role.OFFICIAL: ("ambtenaar", "official"),
    Role.POLICE: ("politie", "police officer"),
}


def lead_wrong_role(side: str, role: str, field_name: str, detail: str) -> DomainError:
    """``lead_wrong_role`` for ``side`` ("municipal" or "police"), in both languages."""
    side_nl, side_en = _SIDE_LABELS[side]
    role_nl, role_en = _ROLE_LABELS[role]
    return errors.LEAD_WRONG_ROLE(
        side=side,
        role=role,
        side_nl=side_nl,
        side_en=side_en,
        role_nl=role_nl,
        role_en=role_en,
        fields={field_name: [detail]},
    )


def parse_client_id(value: Any, field_name: str) -> int:
    """An id as given by a client; anything that cannot be an id here cannot be of this municipality."""
    pk = parse_id(value)
    if pk is None:
        raise errors.COUNCIL_CROSSES_BOUNDARY(
            what=f"{field_name} {value!r}", fields={field_name: ["not an id of this municipality"]}
        )
    return pk


def resolve_membership(membership_id: Any, *, field_name: str, role: str) -> Membership | None:
    """An active member of THIS municipality with ``role`` (an active user too), or the council's error.

    Not a membership here: ``council_crosses_boundary``; the wrong role, a deactivated membership
    or a deactivated account: ``lead_wrong_role`` (a lead must be reachable).
    """
    if membership_id in (None, ""):
        return None
    pk = parse_client_id(membership_id, field_name)
    side = "municipal" if role == Role.OFFICIAL else "police"

    def outside() -> DomainError:
        return errors.COUNCIL_CROSSES_BOUNDARY(
            what=f"membership {membership_id}",
            fields={field_name: ["not a membership of this municipality"]},
        )

    def wrong_role() -> DomainError:
        return lead_wrong_role(side, role, field_name, f"needs the {role} role")

    return find_member(roles=[role], membership_id=pk).get(
        {
            MemberProblem.OUTSIDE: outside,
            MemberProblem.WRONG_ROLE: wrong_role,
            MemberProblem.INACTIVE: wrong_role,
        }
    )


def resolve_neighbourhoods(ids: Iterable[Any]) -> list[Neighbourhood]:
    """Neighbourhoods of this schema; an id that is not here is from across the border."""
    wanted = {parse_client_id(pk, "neighbourhoods") for pk in ids}
    found = list(Neighbourhood.objects.filter(pk__in=wanted))
    missing = sorted(wanted - {n.pk for n in found})
    if missing:
        raise errors.COUNCIL_CROSSES_BOUNDARY(
            what=f"neighbourhood {', '.join(map(str, missing))}", fields={"neighbourhoods": missing}
        )
    return found


def resolve_allies(ids: Iterable[Any]) -> list[KeyFigure]:
    """Key figures of this schema who are allies and obey the selection's hard ally rules.

    The hard rules are the selection's own (one version, one code, 409 everywhere):
    ``professional_representative`` and ``ally_lives_outside_municipality``; the refusal names
    the key figure in ``fields["key_figures"]``.
    """
    wanted = {parse_client_id(pk, "key_figures") for pk in ids}
    found = list(KeyFigure.objects.filter(pk__in=wanted).order_by("pk"))
    missing = sorted(wanted - {k.pk for k in found})
    if missing:
        raise errors.COUNCIL_CROSSES_BOUNDARY(
            what=f"key figure {', '.join(map(str, missing))}", fields={"key_figures": missing}
        )
    for key_figure in found:
        try:
            check_ally_invariants(key_figure)
        except DomainError as error:
            error.fields = {"key_figures": [key_figure.pk]}
            raise
        if not key_figure.is_ally:
            raise errors.MEMBER_NOT_ALLY(name=key_figure.full_name, fields={"key_figures": [key_figure.pk]})
    return found
