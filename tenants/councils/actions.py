"""The council rules that change data. Every write of this app goes through here.

Each action runs in one transaction, checks the method's rules against the municipality's own
settings (``current_rules()``), writes an audit row in the same transaction and raises a
``DomainError`` with a stable code when a rule is broken. Advice that is not a hard rule comes
back as warnings; the one warning that needs an explicit yes (a mayor or alderman as the
municipal member) is recorded with who acknowledged it and when.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from agora.accounts.actors import current_municipality
from agora.accounts.models import Membership
from agora.accounts.roles import Role
from agora.audit.actions import record_action
from agora.errors import INVALID_TRANSITION, NOT_FOUND, PERMISSION_DENIED
from agora.ids import parse_id
from tenants.councils import errors
from tenants.councils.access import viewer_membership
from tenants.councils.models import (
    Acknowledgement,
    AgendaItem,
    AgendaItemKind,
    Attendance,
    Council,
    CouncilMember,
    CouncilRules,
    Meeting,
    OverrideApproval,
    OverrideSide,
)
from tenants.councils.rules import current_rules
from tenants.councils.workflow import (
    AgendaItemStatus,
    MeetingStatus,
    agenda_transition_allowed,
    meeting_transition_allowed,
)
from tenants.networkmap.models import KeyFigure, Neighbourhood

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")

# Titles of administrators (bestuurders). The method wants a civil servant as the municipal member.
# "loco-burgemeester", "locoburgemeester", "waarnemend burgemeester", "locowethouder",
# "wethouder-plaatsvervanger", "wethouders": all administrators. The word may follow "loco"
# without a break, and may carry a suffix.
_ADMINISTRATOR_TITLE = re.compile(r"(?:\b|\bloco-?)(burgemeester|wethouder|mayor|alderman)", re.IGNORECASE)

# Dates outside this window are typing errors (or probes): 9999-12-31 overflowed the schedule.
EARLIEST_DATE = dt.date(1990, 1, 1)
MAX_YEARS_AHEAD = 5

_FIELD_LABELS = {
    "started_on": ("startdatum", "started_on"),
    "joined_on": ("datum van toetreden", "joined_on"),
    "left_on": ("datum van vertrek", "left_on"),
    "starts_at": ("begintijd", "starts_at"),
    "ends_at": ("eindtijd", "ends_at"),
}
_SIDE_LABELS = {
    "municipal": ("de gemeente", "municipal"),
    "police": ("de politie", "police"),
}
_ROLE_LABELS = {
    Role.OFFICIAL: ("ambtenaar", "official"),
    Role.POLICE: ("politie", "police officer"),
}

RULE_RELATIONSHIP_PHASE = "relationship_phase"
RULE_INTERNATIONAL_TOPIC = "international_topic"


@dataclass
class CouncilResult:
    """A council after a change, with the method's warnings for the response."""

    council: Council
    warnings: list[dict[str, Any]] = field(default_factory=list)


# --- helpers shared by the actions (the rules themselves) ---


def _today() -> dt.date:
    return timezone.localdate()


def _as_amsterdam(value: dt.datetime | None) -> dt.datetime | None:
    """Aware datetimes as given; naive ones are read as Amsterdam wall-clock time."""
    if value is None:
        return None
    if timezone.is_naive(value):
        return timezone.make_aware(value, AMSTERDAM)
    return value


def latest_date(today: dt.date | None = None) -> dt.date:
    today = today or _today()
    try:
        return today.replace(year=today.year + MAX_YEARS_AHEAD)
    except ValueError:  # 29 February
        return today.replace(year=today.year + MAX_YEARS_AHEAD, day=28)


def _check_date(value: dt.date | dt.datetime | None, field_name: str) -> None:
    """Refuse a date (or a datetime's own calendar day) outside 1990-01-01 .. today + 5 years."""
    if value is None:
        return
    day = value.date() if isinstance(value, dt.datetime) else value
    latest = latest_date()
    if not EARLIEST_DATE <= day <= latest:
        label_nl, label_en = _FIELD_LABELS[field_name]
        raise errors.DATE_OUT_OF_RANGE(
            field_nl=label_nl.capitalize(),
            field_en=label_en,
            earliest=EARLIEST_DATE.isoformat(),
            latest=latest.isoformat(),
            fields={field_name: ["date_out_of_range"]},
        )


def _lead_wrong_role(side: str, role: str, field_name: str, detail: str):
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


def is_administrator_title(title: str) -> bool:
    """A mayor or alderman (burgemeester, wethouder, also 'loco-burgemeester')."""
    return bool(_ADMINISTRATOR_TITLE.search(title or ""))


def _resolve_membership(membership_id: int | None, *, field_name: str, role: str) -> Membership | None:
    """A membership of THIS municipality with the right role, or a boundary / role error."""
    if membership_id in (None, ""):
        return None
    tenant = current_municipality()
    membership = Membership.objects.select_related("user").filter(pk=_int(membership_id, field_name)).first()
    if membership is None or tenant is None or membership.municipality_id != tenant.pk:
        raise errors.COUNCIL_CROSSES_BOUNDARY(
            what=f"membership {membership_id}",
            fields={field_name: ["not a membership of this municipality"]},
        )
    if membership.role != role or not membership.is_active:
        side = "municipal" if role == Role.OFFICIAL else "police"
        raise _lead_wrong_role(side, role, field_name, f"needs the {role} role")
    return membership


def _int(value: Any, field_name: str) -> int:
    """An id as given by a client; anything that cannot be an id here cannot be of this municipality."""
    pk = parse_id(value)
    if pk is None:
        raise errors.COUNCIL_CROSSES_BOUNDARY(
            what=f"{field_name} {value!r}", fields={field_name: ["not an id of this municipality"]}
        )
    return pk


def _resolve_neighbourhoods(ids: Iterable[Any]) -> list[Neighbourhood]:
    """Neighbourhoods of this schema; an id that is not here is from across the border."""
    wanted = {_int(pk, "neighbourhoods") for pk in ids}
    found = list(Neighbourhood.objects.filter(pk__in=wanted))
    missing = sorted(wanted - {n.pk for n in found})
    if missing:
        raise errors.COUNCIL_CROSSES_BOUNDARY(
            what=f"neighbourhood {', '.join(map(str, missing))}", fields={"neighbourhoods": missing}
        )
    return found


def _resolve_allies(ids: Iterable[Any]) -> list[KeyFigure]:
    """Key figures of this schema who are allies living in this municipality."""
    wanted = {_int(pk, "key_figures") for pk in ids}
    found = list(KeyFigure.objects.filter(pk__in=wanted).order_by("pk"))
    missing = sorted(wanted - {k.pk for k in found})
    if missing:
        raise errors.COUNCIL_CROSSES_BOUNDARY(
            what=f"key figure {', '.join(map(str, missing))}", fields={"key_figures": missing}
        )
    tenant = current_municipality()
    own_code = tenant.cbs_code if tenant is not None else ""
    for key_figure in found:
        if key_figure.residence_cbs_code and key_figure.residence_cbs_code != own_code:
            raise errors.COUNCIL_CROSSES_BOUNDARY(
                what=f"{key_figure.full_name} (lives in {key_figure.residence_cbs_code})",
                fields={"key_figures": [key_figure.pk]},
            )
        if key_figure.is_professional_representative:
            raise errors.MEMBER_IS_PROFESSIONAL(fields={"key_figures": [key_figure.pk]})
        if not key_figure.is_ally:
            raise errors.MEMBER_NOT_ALLY(name=key_figure.full_name, fields={"key_figures": [key_figure.pk]})
    return found


def _rules_invalid(nl: str, en: str, field_name: str | None = None):
    return errors.RULES_INVALID(
        reason_nl=nl, reason_en=en, fields={field_name: ["council_rules_invalid"]} if field_name else {}
    )


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
        raise _lead_wrong_role(
            "municipal" if municipal_lead is None else "police",
            Role.OFFICIAL if municipal_lead is None else Role.POLICE,
            "municipal_lead" if municipal_lead is None else "police_lead",
            "required",
        )
    people = [m.pk for m in (municipal_lead, municipal_deputy, police_lead, police_deputy) if m is not None]
    if len(people) != len(set(people)):
        raise errors.LEADS_NOT_DISTINCT()


def active_member_count(council: Council) -> int:
    return council.members.filter(left_on__isnull=True).count()


# --- rules ---

# The editable rules, in the order the API and the admin show them.
RULE_FIELDS = (
    "max_size",
    "municipal_seats",
    "police_seats",
    "max_allies",
    "recommended_start_min",
    "recommended_start_max",
    "meeting_interval_weeks",
    "relationship_meetings",
    "signal_overdue_days",
    "stale_contact_months",
)

# Upper bounds per rule: beyond these the method no longer applies, and date arithmetic
# (months ago, weeks ahead) would leave the calendar.
RULE_MAXIMA = {
    "max_size": 50,
    "municipal_seats": 5,
    "police_seats": 5,
    "max_allies": 50,
    "recommended_start_min": 50,
    "recommended_start_max": 50,
    "meeting_interval_weeks": 52,
    "relationship_meetings": 52,
    "signal_overdue_days": 365,
    "stale_contact_months": 120,
}
_RULE_LABELS = {
    "max_size": ("de maximale omvang", "max_size"),
    "municipal_seats": ("het aantal gemeentezetels", "municipal_seats"),
    "police_seats": ("het aantal politiezetels", "police_seats"),
    "max_allies": ("het maximale aantal bondgenoten", "max_allies"),
    "recommended_start_min": ("het aanbevolen minimum bij de start", "recommended_start_min"),
    "recommended_start_max": ("het aanbevolen maximum bij de start", "recommended_start_max"),
    "meeting_interval_weeks": ("het aantal weken tussen bijeenkomsten", "meeting_interval_weeks"),
    "relationship_meetings": ("het aantal kennismakingsbijeenkomsten", "relationship_meetings"),
    "signal_overdue_days": ("het aantal dagen tot een signaal te laat is", "signal_overdue_days"),
    "stale_contact_months": ("het aantal maanden tot een relatie verwaterd is", "stale_contact_months"),
}


@transaction.atomic
def do_update_council_rules(changes: Mapping[str, int], *, acting_user) -> CouncilRules:
    """Change the municipality's council rules; they must add up, and the change is audited."""
    rules = CouncilRules.objects.select_for_update().filter(pk=current_rules().pk).get()
    before = {name: getattr(rules, name) for name in RULE_FIELDS}
    for name, value in changes.items():
        if name not in RULE_FIELDS:
            continue
        setattr(rules, name, int(value))
    for name, maximum in RULE_MAXIMA.items():
        value = getattr(rules, name)
        if not 0 <= value <= maximum:
            label_nl, label_en = _RULE_LABELS[name]
            raise _rules_invalid(
                f"{label_nl} ligt tussen 0 en {maximum}.",
                f"{label_en} must be between 0 and {maximum}.",
                name,
            )
    if rules.recommended_start_min > rules.recommended_start_max:
        raise _rules_invalid(
            "het aanbevolen minimum bij de start is groter dan het maximum.",
            "recommended_start_min is greater than recommended_start_max.",
            "recommended_start_min",
        )
    if rules.recommended_start_max > rules.max_allies:
        raise _rules_invalid(
            "het aanbevolen maximum bij de start is groter dan het maximale aantal bondgenoten.",
            "recommended_start_max is greater than max_allies.",
            "recommended_start_max",
        )
    if rules.municipal_seats < 1 or rules.police_seats < 1:
        raise _rules_invalid(
            "de gemeente en de politie hebben elk ten minste één zetel nodig.",
            "the municipality and the police each need a seat.",
        )
    if rules.municipal_seats + rules.police_seats >= rules.max_size:
        raise _rules_invalid(
            "bij deze maximale omvang blijft er geen zetel over voor een bondgenoot.",
            "max_size leaves no seat for an ally.",
            "max_size",
        )
    if rules.meeting_interval_weeks < 1:
        raise _rules_invalid(
            "tussen twee bijeenkomsten ligt ten minste één week.",
            "meeting_interval_weeks must be at least 1.",
            "meeting_interval_weeks",
        )
    if rules.signal_overdue_days < 1 or rules.stale_contact_months < 1:
        raise _rules_invalid(
            "de termijnen voor signalen en verwaterde relaties zijn ten minste 1.",
            "signal_overdue_days and stale_contact_months must be at least 1.",
        )
    rules.updated_by = acting_user
    rules.save()
    after = {name: getattr(rules, name) for name in RULE_FIELDS}
    record_action(
        "councils.rules_updated",
        actor=acting_user,
        obj=rules,
        detail={"changed": {k: [before[k], after[k]] for k in RULE_FIELDS if before[k] != after[k]}},
    )
    return rules


# --- councils ---


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
    rules = current_rules()
    municipal_lead = _resolve_membership(municipal_lead_id, field_name="municipal_lead", role=Role.OFFICIAL)
    municipal_deputy = _resolve_membership(
        municipal_deputy_id, field_name="municipal_deputy", role=Role.OFFICIAL
    )
    police_lead = _resolve_membership(police_lead_id, field_name="police_lead", role=Role.POLICE)
    police_deputy = _resolve_membership(police_deputy_id, field_name="police_deputy", role=Role.POLICE)
    _check_leads(municipal_lead, municipal_deputy, police_lead, police_deputy)
    neighbourhoods = _resolve_neighbourhoods(neighbourhood_ids)
    if not covers_whole_municipality and not neighbourhoods:
        raise errors.SCOPE_REQUIRED(fields={"neighbourhoods": ["required"]})
    allies = _resolve_allies(key_figure_ids)
    _check_size(len(allies), rules)

    started_on = started_on or _today()
    _check_date(started_on, "started_on")
    council = Council.objects.create(
        name=name.strip(),
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
            "name": council.name,
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
    council = Council.objects.select_for_update().get(pk=council.pk)
    if name is not None:
        council.name = name.strip()
    if covers_whole_municipality is not None:
        council.covers_whole_municipality = covers_whole_municipality
    neighbourhoods = (
        _resolve_neighbourhoods(neighbourhood_ids)
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
            "name": council.name,
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
    council = Council.objects.select_for_update().get(pk=council.pk)
    municipal_lead = _resolve_membership(municipal_lead_id, field_name="municipal_lead", role=Role.OFFICIAL)
    municipal_deputy = _resolve_membership(
        municipal_deputy_id, field_name="municipal_deputy", role=Role.OFFICIAL
    )
    police_lead = _resolve_membership(police_lead_id, field_name="police_lead", role=Role.POLICE)
    police_deputy = _resolve_membership(police_deputy_id, field_name="police_deputy", role=Role.POLICE)
    _check_leads(municipal_lead, municipal_deputy, police_lead, police_deputy)
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
    council = Council.objects.select_for_update().get(pk=council.pk)
    rules = current_rules()
    allies = _resolve_allies(key_figure_ids)
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
    joined_on = joined_on or _today()
    _check_date(joined_on, "joined_on")
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
    council = Council.objects.select_for_update().get(pk=council.pk)
    seat = council.members.filter(
        key_figure_id=_int(key_figure_id, "key_figure"), left_on__isnull=True
    ).first()
    if seat is None:
        raise errors.MEMBER_NOT_SEATED(fields={"key_figure": [key_figure_id]})
    left_on = left_on or _today()
    _check_date(left_on, "left_on")
    if left_on < seat.joined_on:
        left_on = seat.joined_on
    seat.left_on = left_on
    seat.left_reason = reason[:200]
    seat.save(update_fields=["left_on", "left_reason"])
    record_action(
        "councils.member_left",
        actor=acting_user,
        obj=council,
        detail={"key_figure": seat.key_figure_id, "left_on": left_on.isoformat(), "reason": seat.left_reason},
    )
    return CouncilResult(council, _size_warnings(active_member_count(council), current_rules()))


# --- meetings ---


def held_meeting_count(council: Council) -> int:
    return council.meetings.filter(status=MeetingStatus.HELD).count()


@transaction.atomic
def do_plan_meeting(
    council: Council,
    *,
    starts_at: dt.datetime,
    place: str,
    meal: str,
    ends_at: dt.datetime | None = None,
    notes: str = "",
    acting_user,
) -> Meeting:
    """Plan a meeting. Never without a meal: eating together is how the relationship is built."""
    if not (meal or "").strip():
        raise errors.MEAL_REQUIRED(fields={"meal": ["required"]})
    starts_at = _as_amsterdam(starts_at)
    ends_at = _as_amsterdam(ends_at)
    if starts_at is None or (ends_at is not None and ends_at <= starts_at):
        raise errors.MEETING_NOT_AWARE(fields={"ends_at": ["must be after starts_at"]})
    _check_meeting_times(council, starts_at, ends_at)
    meeting = Meeting.objects.create(
        council=council,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place.strip(),
        meal=meal.strip(),
        notes=notes,
    )
    record_action(
        "councils.meeting_planned",
        actor=acting_user,
        obj=meeting,
        detail={"council": council.pk, "starts_at": starts_at.isoformat()},
    )
    return meeting


@transaction.atomic
def do_update_meeting(meeting: Meeting, changes: Mapping[str, Any], *, acting_user) -> Meeting:
    """Change a meeting's time, place, meal or notes. Notes stay editable after it was held."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    allowed = {"starts_at", "ends_at", "place", "meal", "notes"}
    changes = {k: v for k, v in changes.items() if k in allowed}
    if meeting.status != MeetingStatus.PLANNED and set(changes) - {"notes"}:
        raise errors.MEETING_NOT_EDITABLE(status=meeting.status)
    if "meal" in changes and not (changes["meal"] or "").strip():
        raise errors.MEAL_REQUIRED(fields={"meal": ["required"]})
    for key in ("starts_at", "ends_at"):
        if key in changes:
            changes[key] = _as_amsterdam(changes[key])
            _check_date(changes[key], key)
    for key, value in changes.items():
        setattr(meeting, key, value.strip() if key in ("place", "meal") else value)
    if meeting.starts_at is None or (meeting.ends_at is not None and meeting.ends_at <= meeting.starts_at):
        raise errors.MEETING_NOT_AWARE(fields={"ends_at": ["must be after starts_at"]})
    if "starts_at" in changes:
        _check_meeting_times(meeting.council, meeting.starts_at, None)
    meeting.save()
    record_action(
        "councils.meeting_updated", actor=acting_user, obj=meeting, detail={"changed": sorted(changes)}
    )
    return meeting


def _check_meeting_times(council: Council, starts_at: dt.datetime, ends_at: dt.datetime | None) -> None:
    """Inside the sane window, and never before the council started (no back-dated meetings)."""
    _check_date(starts_at, "starts_at")
    _check_date(ends_at, "ends_at")
    if starts_at.astimezone(AMSTERDAM).date() < council.started_on:
        raise errors.MEETING_BEFORE_START(
            started_on=council.started_on.isoformat(), fields={"starts_at": ["meeting_before_council_start"]}
        )


def _transition_meeting(meeting: Meeting, new: str) -> Meeting:
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if not meeting_transition_allowed(locked.status, new):
        raise INVALID_TRANSITION(current=locked.status)
    return locked


@transaction.atomic
def do_hold_meeting(meeting: Meeting, *, notes: str | None = None, acting_user) -> Meeting:
    """Mark a meeting as held. Held meetings count towards the relationship phase and the cadence.

    Only a meeting that at least one ally attended can be held (record the attendance first):
    otherwise the relationship phase could be "built" by marking empty meetings as held.
    """
    meeting = _transition_meeting(meeting, MeetingStatus.HELD)
    if meeting.starts_at > timezone.now():
        raise errors.MEETING_IN_FUTURE()
    if not meeting.attendance.filter(member__isnull=False, present=True).exists():
        raise errors.MEETING_WITHOUT_ATTENDANCE()
    meeting.status = MeetingStatus.HELD
    if notes is not None:
        meeting.notes = notes
    meeting.save(update_fields=["status", "notes", "updated_at"])
    record_action(
        "councils.meeting_held", actor=acting_user, obj=meeting, detail={"council": meeting.council_id}
    )
    return meeting


@transaction.atomic
def do_cancel_meeting(meeting: Meeting, *, reason: str = "", acting_user) -> Meeting:
    meeting = _transition_meeting(meeting, MeetingStatus.CANCELLED)
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancel_reason = reason[:200]
    meeting.save(update_fields=["status", "cancel_reason", "updated_at"])
    record_action(
        "councils.meeting_cancelled",
        actor=acting_user,
        obj=meeting,
        detail={"council": meeting.council_id, "reason": meeting.cancel_reason},
    )
    return meeting


@transaction.atomic
def do_record_attendance(
    meeting: Meeting,
    *,
    members: Mapping[int, bool] | None = None,
    leads: Mapping[int, bool] | None = None,
    acting_user,
) -> Meeting:
    """Record who was there: allies by their seat, leads and deputies by their membership."""
    meeting = Meeting.objects.select_for_update().select_related("council").get(pk=meeting.pk)
    if meeting.status == MeetingStatus.CANCELLED:
        raise errors.MEETING_NOT_EDITABLE(status=meeting.status)
    council = meeting.council
    day = timezone.localtime(meeting.starts_at, AMSTERDAM).date()
    members = {int(k): bool(v) for k, v in (members or {}).items()}
    leads = {int(k): bool(v) for k, v in (leads or {}).items()}
    seats = {
        seat.pk: seat
        for seat in council.members.filter(pk__in=members, joined_on__lte=day).exclude(left_on__lt=day)
    }
    unknown_members = sorted(set(members) - set(seats))
    unknown_leads = sorted(set(leads) - council.lead_membership_ids())
    if unknown_members or unknown_leads:
        raise errors.ATTENDEE_NOT_IN_COUNCIL(fields={"members": unknown_members, "leads": unknown_leads})
    for seat_id, present in members.items():
        Attendance.objects.update_or_create(meeting=meeting, member_id=seat_id, defaults={"present": present})
    for membership_id, present in leads.items():
        Attendance.objects.update_or_create(
            meeting=meeting, membership_id=membership_id, defaults={"present": present}
        )
    record_action(
        "councils.attendance_recorded",
        actor=acting_user,
        obj=meeting,
        detail={
            "members": {str(k): v for k, v in members.items()},
            "leads": {str(k): v for k, v in leads.items()},
        },
    )
    return meeting


# --- agenda ---


def _broken_agenda_rules(council: Council, *, kind: str, is_international: bool) -> list[str]:
    broken = []
    if (
        kind == AgendaItemKind.LOCAL_PROBLEM
        and held_meeting_count(council) < current_rules().relationship_meetings
    ):
        broken.append(RULE_RELATIONSHIP_PHASE)
    if is_international:
        broken.append(RULE_INTERNATIONAL_TOPIC)
    return broken


def _raise_for_rule(rule: str, council: Council, broken: list[str]) -> None:
    if rule == RULE_RELATIONSHIP_PHASE:
        raise errors.RELATIONSHIP_PHASE(
            required=current_rules().relationship_meetings,
            held=held_meeting_count(council),
            fields={"kind": [rule], "rules": broken},
        )
    raise errors.INTERNATIONAL_TOPIC(fields={"is_international": [rule], "rules": broken})


@transaction.atomic
def do_propose_agenda_item(
    council: Council,
    *,
    title: str,
    description: str = "",
    kind: str = AgendaItemKind.GENERAL,
    is_international: bool = False,
    meeting_id: int | None = None,
    request_override: bool = False,
    override_reason: str = "",
    acting_user,
) -> AgendaItem:
    """Any member puts a topic on the agenda, on any subject. Equal standing: ordered by time proposed.

    Two of the method's rules hold an item back: local problems wait until the relationship has
    been built (the first N held meetings), and international topics stay out. Either rule is
    refused, unless an override is requested with a reason; the item then waits for both leads.
    """
    if kind not in AgendaItemKind.values:
        kind = AgendaItemKind.GENERAL
    meeting = None
    if meeting_id not in (None, ""):
        meeting = council.meetings.filter(
            pk=_int(meeting_id, "meeting"), status=MeetingStatus.PLANNED
        ).first()
        if meeting is None:
            raise NOT_FOUND(fields={"meeting": [meeting_id]})
    broken = _broken_agenda_rules(council, kind=kind, is_international=is_international)
    if broken and not request_override:
        _raise_for_rule(broken[0], council, broken)
    if broken and not override_reason.strip():
        raise errors.OVERRIDE_REASON_REQUIRED(fields={"override_reason": ["required"]})
    item = AgendaItem.objects.create(
        council=council,
        meeting=meeting,
        title=title.strip(),
        description=description,
        kind=kind,
        is_international=is_international,
        status=AgendaItemStatus.AWAITING_OVERRIDE if broken else AgendaItemStatus.OPEN,
        override_rules=broken,
        override_reason=override_reason.strip() if broken else "",
        proposed_by=acting_user,
    )
    record_action(
        "councils.agenda_override_requested" if broken else "councils.agenda_item_proposed",
        actor=acting_user,
        obj=item,
        detail={"council": council.pk, "kind": kind, "rules": broken},
    )
    return item


def override_side(council: Council, user) -> str | None:
    """Which side the user approves for: municipal or police lead/deputy of this council, else None."""
    membership = viewer_membership(user)
    if membership is None:
        return None
    if membership.pk in (council.municipal_lead_id, council.municipal_deputy_id):
        return OverrideSide.MUNICIPAL
    if membership.pk in (council.police_lead_id, council.police_deputy_id):
        return OverrideSide.POLICE
    return None


@transaction.atomic
def do_approve_agenda_override(item: AgendaItem, *, acting_user) -> AgendaItem:
    """One side's lead (or deputy) approves the override. With both sides, the item goes on the agenda."""
    item = AgendaItem.objects.select_for_update().select_related("council").get(pk=item.pk)
    if item.status != AgendaItemStatus.AWAITING_OVERRIDE:
        raise errors.OVERRIDE_NOT_PENDING()
    side = override_side(item.council, acting_user)
    if side is None:
        raise errors.OVERRIDE_NOT_A_LEAD()
    side_nl, side_en = {
        OverrideSide.MUNICIPAL: ("gemeentekant", "municipal"),
        OverrideSide.POLICE: ("politiekant", "police"),
    }[side]
    if item.approvals.filter(side=side).exists() or item.approvals.filter(approved_by=acting_user).exists():
        raise errors.OVERRIDE_ALREADY_APPROVED(side=side, side_nl=side_nl, side_en=side_en)
    approval = OverrideApproval.objects.create(
        agenda_item=item, side=side, rules=list(item.override_rules), approved_by=acting_user
    )
    record_action(
        "councils.agenda_override_approved",
        actor=acting_user,
        obj=item,
        detail={"side": side, "rules": item.override_rules, "approval": approval.pk},
    )
    if set(item.approvals.values_list("side", flat=True)) == set(OverrideSide.values):
        item.status = AgendaItemStatus.OPEN
        item.save(update_fields=["status"])
        record_action(
            "councils.agenda_override_granted",
            actor=acting_user,
            obj=item,
            detail={
                "rules": item.override_rules,
                "reason": item.override_reason,
                "approved_by": list(item.approvals.values_list("approved_by_id", flat=True)),
            },
        )
    return item


@transaction.atomic
def do_change_agenda_item_status(item: AgendaItem, new_status: str, *, acting_user) -> AgendaItem:
    """Mark an item discussed, or withdraw it (staff, or the member who proposed it)."""
    item = AgendaItem.objects.select_for_update().get(pk=item.pk)
    membership = viewer_membership(acting_user)
    is_staff = membership is not None and membership.is_staff_role
    if not is_staff and not (
        new_status == AgendaItemStatus.WITHDRAWN and item.proposed_by_id == acting_user.pk
    ):
        raise PERMISSION_DENIED()
    if not agenda_transition_allowed(item.status, new_status):
        raise INVALID_TRANSITION(current=item.status)
    item.status = new_status
    item.save(update_fields=["status"])
    record_action("councils.agenda_item_status", actor=acting_user, obj=item, detail={"status": new_status})
    return item
