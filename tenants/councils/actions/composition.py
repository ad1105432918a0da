"""Who sits on a council: setting one up, its scope, both sides' leads and deputies, its allies.

Only staff of this municipality compose councils (``require_staff``). Each action runs in one
transaction, checks the method's rules against the municipality's own settings
(``current_rules()``), writes an audit row in the same transaction and raises a
``DomainError`` with a stable code when a rule is broken. Advice that is not a hard rule comes
back as warnings; the one warning that needs an explicit yes (a mayor or alderman as the
municipal member) is recorded with who acknowledged it and when.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from agora.accounts.actors import require_staff
from agora.accounts.models import Membership
from agora.accounts.roles import Role
from agora.audit.actions import record_action
from agora.names import clean_name
from tenants.councils import errors
from tenants.councils.actions.boundary import (
    lead_wrong_role,
    parse_client_id,
    resolve_allies,
    resolve_membership,
    resolve_neighbourhoods,
)
from tenants.councils.actions.dates import check_date, today
from tenants.councils.models import Acknowledgement, Council, CouncilMember, CouncilRules
from tenants.councils.rules import current_rules
from tenants.networkmap.models import KeyFigure

# Titles of administrators (bestuurders). The method wants a civil servant as the municipal member.
# "loco-burgemeester", "locoburgemeester", "waarnemend burgemeester", "locowethouder",
# "wethouder-plaatsvervanger", "wethouders": all administrators. The word may follow "loco"
# without a break, and may carry a suffix.
_ADMINISTRATOR_TITLE = re.compile(r"(?:\b|\bloco-?)(burgemeester|wethouder|mayor|alderman)", re.IGNORECASE)


@dataclass
class CouncilResult:
    """A council after a change, with the method's warnings for the response."""

    council: Council
    warnings: list[dict[str, Any]] = field(default_factory=list)


def is_administrator_title(title: str) -> bool:
    """A mayor or alderman (burgemeester, wethouder, also 'loco-burgemeester')."""
    return bool(_ADMINISTRATOR_TITLE.search(title or ""))


def _check_size(allies: int, rules: CouncilRules) -> None:
    if allies > rules.max_allies:
        raise errors.COUNCIL_TOO_MANY_ALLIES(max_allies=rules.max_allies, count=allies)
    total = allies + rules.municipal_seats + rules.police_seats
    if total > rules.max_size:
        raise errors.COUNCIL_TOO_LARGE(max_size=rules.max_size, count=total)


def _size_warnings(allies: int, rules: CouncilRules) -> list[dict[str, Any]]:
    if allies < rules.recommended_start_min:
        return [
            errors.BELOW_RECOMMENDED_START.render(
                count=allies, min=rules.recommended_start_min, max=rules.recommended_start_max
            )
        ]
    return []


def _scope_warnings(council: Council, key_figures: Iterable[KeyFigure]) -> list[dict[str, Any]]:
    if council.covers_whole_municipality:
        return []
    scope = set(council.neighbourhoods.values_list("pk", flat=True))
    return [
        errors.MEMBER_OUTSIDE_SCOPE.render(name=kf.full_name, key_figure=kf.pk)
        for kf in key_figures
        if kf.neighbourhood_id not in scope
    ]


def _lead_acknowledgements(
    council: Council,
    municipal: Iterable[Membership | None],
    acknowledge: Iterable[str],
    acting_user,
) -> list[dict[str, Any]]:
    """Warn about administrators on the municipal side; refuse until acknowledged, then record it.

    An acknowledgement holds for that council, person and title: naming the same alderman
    again (e.g. when the police lead changes) does not ask for it a second time.
    """
    spec = errors.MUNICIPAL_MEMBER_IS_ADMINISTRATOR
    found = [m for m in municipal if m is not None and is_administrator_title(m.title)]
    if not found:
        return []
    rendered = [spec.render(name=m.user.display_name, title=m.title, membership=m.pk) for m in found]

    def subject(membership: Membership) -> str:
        return f"membership:{membership.pk} {membership.title}"[:200]

    done = set(council.acknowledgements.filter(code=spec.code).values_list("subject", flat=True))
    pending = [m for m in found if subject(m) not in done]
    if pending and spec.code not in set(acknowledge or ()):
        raise errors.ACKNOWLEDGEMENT_REQUIRED(
            codes=spec.code, fields={"acknowledge": [spec.code], "warnings": rendered}
        )
    for membership in pending:
        ack = Acknowledgement.objects.create(
            council=council, code=spec.code, subject=subject(membership), acknowledged_by=acting_user
        )
        record_action(
            "councils.warning_acknowledged",
            actor=acting_user,
            obj=council,
            detail={"code": spec.code, "membership": membership.pk, "acknowledgement": ack.pk},
        )
    for warning in rendered:
        warning["acknowledged"] = True
    return rendered


def _check_leads(
    municipal_lead: Membership | None,
    municipal_deputy: Membership | None,
    police_lead: Membership | None,
    police_deputy: Membership | None,
) -> None:
    if municipal_lead is None or police_lead is None:
        raise lead_wrong_role(
            "municipal" if municipal_lead is None else "police",
            Role.OFFICIAL if municipal_lead is None else Role.POLICE,
            "municipal_lead" if municipal_lead is None else "police_lead",
            "required",
        )
    people = [m.pk for m in (municipal_lead, municipal_deputy, police_lead, police_deputy) if m is not None]
    if len(people) != len(set(people)):
        raise errors.LEADS_NOT_DISTINCT()


LEAD_SEATS = ("municipal_lead", "municipal_deputy", "police_lead", "police_deputy")


def _check_reachable(council: Council | None, seated: dict[str, Membership | None]) -> None:
    """Whoever is newly put in a lead or deputy seat has a mobile number here (``lead_without_mobile``).

    Everybody has everybody's number (step 3): an ally must be able to call the municipal and
    police members between meetings and in a crisis. Someone already in that seat is left as
    they are, so that a council whose seats predate the rule is flagged by council health rather
    than blocked from any other change.
    """
    for seat in LEAD_SEATS:
        membership = seated.get(seat)
        if membership is None or membership.mobile:
            continue
        if council is not None and getattr(council, f"{seat}_id") == membership.pk:
            continue
        raise errors.LEAD_WITHOUT_MOBILE(
            name=membership.user.display_name, membership=membership.pk, fields={seat: ["no mobile number"]}
        )


def active_member_count(council: Council) -> int:
    return council.members.filter(left_on__isnull=True).count()


@transaction.atomic
def do_create_council(
    *,
    name: str,
    municipal_lead_id: int,
    police_lead_id: int,
    municipal_deputy_id: int | None = None,
    police_deputy_id: int | None = None,
    covers_whole_municipality: bool = True,
    neighbourhood_ids: Iterable[int] = (),
    key_figure_ids: Iterable[int] = (),
    started_on: dt.date | None = None,
    acknowledge: Iterable[str] = (),
    acting_user,
) -> CouncilResult:
    """Set up a council (step 1 and 3): scope, both leads and deputies, the first allies."""
    require_staff(acting_user)
    rules = current_rules()
    municipal_lead = resolve_membership(municipal_lead_id, field_name="municipal_lead", role=Role.OFFICIAL)
    municipal_deputy = resolve_membership(
        municipal_deputy_id, field_name="municipal_deputy", role=Role.OFFICIAL
    )
    police_lead = resolve_membership(police_lead_id, field_name="police_lead", role=Role.POLICE)
    police_deputy = resolve_membership(police_deputy_id, field_name="police_deputy", role=Role.POLICE)
    _check_leads(municipal_lead, municipal_deputy, police_lead, police_deputy)
    _check_reachable(
        None,
        {
            "municipal_lead": municipal_lead,
            "municipal_deputy": municipal_deputy,
            "police_lead": police_lead,
            "police_deputy": police_deputy,
        },
    )
    neighbourhoods = resolve_neighbourhoods(neighbourhood_ids)
    if not covers_whole_municipality and not neighbourhoods:
        raise errors.SCOPE_REQUIRED(fields={"neighbourhoods": ["required"]})
    allies = resolve_allies(key_figure_ids)
    _check_size(len(allies), rules)

    started_on = started_on or today()
    check_date(started_on, "started_on")
    council = Council.objects.create(
        name=clean_name(name, "name"),
        covers_whole_municipality=covers_whole_municipality,
        municipal_lead=municipal_lead,
        municipal_deputy=municipal_deputy,
        police_lead=police_lead,
        police_deputy=police_deputy,
        started_on=started_on,
        created_by=acting_user,
    )
    council.neighbourhoods.set([] if covers_whole_municipality else neighbourhoods)
    CouncilMember.objects.bulk_create(
        CouncilMember(council=council, key_figure=kf, joined_on=started_on) for kf in allies
    )
    warnings = _lead_acknowledgements(council, [municipal_lead, municipal_deputy], acknowledge, acting_user)
    warnings += _size_warnings(len(allies), rules)
    warnings += _scope_warnings(council, allies)
    record_action(
        "councils.council_created",
        actor=acting_user,
        obj=council,
        detail={
            "whole_municipality": covers_whole_municipality,
            "neighbourhoods": sorted(n.pk for n in neighbourhoods),
            "key_figures": [kf.pk for kf in allies],
            "leads": sorted(council.lead_membership_ids()),
        },
    )
    return CouncilResult(council, warnings)


@transaction.atomic
def do_update_council(
    council: Council,
    *,
    name: str | None = None,
    covers_whole_municipality: bool | None = None,
    neighbourhood_ids: Iterable[int] | None = None,
    acting_user,
) -> CouncilResult:
    """Rename a council or change its scope (still inside the municipality)."""
    require_staff(acting_user)
    council = Council.objects.select_for_update().get(pk=council.pk)
    if name is not None:
        council.name = clean_name(name, "name")
    if covers_whole_municipality is not None:
        council.covers_whole_municipality = covers_whole_municipality
    neighbourhoods = (
        resolve_neighbourhoods(neighbourhood_ids)
        if neighbourhood_ids is not None
        else list(council.neighbourhoods.all())
    )
    if not council.covers_whole_municipality and not neighbourhoods:
        raise errors.SCOPE_REQUIRED(fields={"neighbourhoods": ["required"]})
    council.save()
    council.neighbourhoods.set([] if council.covers_whole_municipality else neighbourhoods)
    record_action(
        "councils.council_updated",
        actor=acting_user,
        obj=council,
        detail={
            "fields": ["name"] if name is not None else [],
            "whole_municipality": council.covers_whole_municipality,
            "neighbourhoods": sorted(n.pk for n in neighbourhoods)
            if not council.covers_whole_municipality
            else [],
        },
    )
    members = [
        m.key_figure for m in council.members.filter(left_on__isnull=True).select_related("key_figure")
    ]
    return CouncilResult(council, _scope_warnings(council, members))


@transaction.atomic
def do_set_council_leads(
    council: Council,
    *,
    municipal_lead_id: int,
    police_lead_id: int,
    municipal_deputy_id: int | None = None,
    police_deputy_id: int | None = None,
    acknowledge: Iterable[str] = (),
    acting_user,
) -> CouncilResult:
    """Name each side's lead and deputy: the network must not depend on one person's phone."""
    require_staff(acting_user)
    council = Council.objects.select_for_update().get(pk=council.pk)
    municipal_lead = resolve_membership(municipal_lead_id, field_name="municipal_lead", role=Role.OFFICIAL)
    municipal_deputy = resolve_membership(
        municipal_deputy_id, field_name="municipal_deputy", role=Role.OFFICIAL
    )
    police_lead = resolve_membership(police_lead_id, field_name="police_lead", role=Role.POLICE)
    police_deputy = resolve_membership(police_deputy_id, field_name="police_deputy", role=Role.POLICE)
    _check_leads(municipal_lead, municipal_deputy, police_lead, police_deputy)
    _check_reachable(
        council,
        {
            "municipal_lead": municipal_lead,
            "municipal_deputy": municipal_deputy,
            "police_lead": police_lead,
            "police_deputy": police_deputy,
        },
    )
    before = sorted(council.lead_membership_ids())
    council.municipal_lead = municipal_lead
    council.municipal_deputy = municipal_deputy
    council.police_lead = police_lead
    council.police_deputy = police_deputy
    council.save()
    warnings = _lead_acknowledgements(council, [municipal_lead, municipal_deputy], acknowledge, acting_user)
    record_action(
        "councils.leads_changed",
        actor=acting_user,
        obj=council,
        detail={
            "before": before,
            "municipal_lead": municipal_lead.pk,
            "municipal_deputy": municipal_deputy.pk if municipal_deputy else None,
            "police_lead": police_lead.pk,
            "police_deputy": police_deputy.pk if police_deputy else None,
        },
    )
    return CouncilResult(council, warnings)


@transaction.atomic
def do_add_council_members(
    council: Council,
    key_figure_ids: Iterable[int],
    *,
    joined_on: dt.date | None = None,
    acting_user,
) -> CouncilResult:
    """Seat allies in the council, within the municipality's size limits."""
    require_staff(acting_user)
    council = Council.objects.select_for_update().get(pk=council.pk)
    rules = current_rules()
    allies = resolve_allies(key_figure_ids)
    seated = set(
        council.members.filter(left_on__isnull=True, key_figure__in=allies).values_list(
            "key_figure_id", flat=True
        )
    )
    for kf in allies:
        if kf.pk in seated:
            raise errors.MEMBER_ALREADY_SEATED(name=kf.full_name, fields={"key_figures": [kf.pk]})
    count = active_member_count(council) + len(allies)
    _check_size(count, rules)
    joined_on = joined_on or today()
    check_date(joined_on, "joined_on")
    CouncilMember.objects.bulk_create(
        CouncilMember(council=council, key_figure=kf, joined_on=joined_on) for kf in allies
    )
    record_action(
        "councils.members_added",
        actor=acting_user,
        obj=council,
        detail={"key_figures": [kf.pk for kf in allies], "joined_on": joined_on.isoformat()},
    )
    return CouncilResult(council, _size_warnings(count, rules) + _scope_warnings(council, allies))


@transaction.atomic
def do_remove_council_member(
    council: Council,
    key_figure_id: int,
    *,
    left_on: dt.date | None = None,
    reason: str = "",
    acting_user,
) -> CouncilResult:
    """An ally leaves the council. The seat keeps its dates: tenure is part of the council's health."""
    require_staff(acting_user)
    council = Council.objects.select_for_update().get(pk=council.pk)
    seat = council.members.filter(
        key_figure_id=parse_client_id(key_figure_id, "key_figure"), left_on__isnull=True
    ).first()
    if seat is None:
        raise errors.MEMBER_NOT_SEATED(fields={"key_figure": [key_figure_id]})
    left_on = left_on or today()
    check_date(left_on, "left_on")
    if left_on < seat.joined_on:
        left_on = seat.joined_on
    seat.left_on = left_on
    seat.left_reason = reason[:200]
    seat.save(update_fields=["left_on", "left_reason"])
    record_action(
        "councils.member_left",
        actor=acting_user,
        obj=council,
        detail={
            "key_figure": seat.key_figure_id,
            "left_on": left_on.isoformat(),
            "fields": ["left_reason"] if seat.left_reason else [],
        },
    )
    return CouncilResult(council, _size_warnings(active_member_count(council), current_rules()))
