"""Declaring a crisis, starting a drill, and convening the councils' members for either.

Both run the same path (:func:`_convene`): one convocation per person (leads and deputies of
both sides, the seated allies), an in-app call on their personal feed and a call through the
notifiers, sent after the commit so that a rolled-back declaration calls nobody. A drill is
marked as one everywhere (the log, the feed event, the text of the SMS) and has no room.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from agora.accounts.actors import require_staff
from agora.audit.actions import record_action
from agora.ids import parse_id
from agora.municipalities.provisioning import link_for
from agora.national.live import announce_crisis_change
from realtime.events import send_event_on_commit
from tenants.councils.models import Council
from tenants.crises import errors
from tenants.crises.log import append_event
from tenants.crises.models import Convocation, Crisis, CrisisKind, Side
from tenants.crises.notify import CallMessage, Recipient, planned_delivery, working_number
from tenants.crises.queries import rollcall_rows
from tenants.crises.rules import current_settings
from tenants.networkmap.models import Neighbourhood

POSITION_LABELS = {"lead": "trekker", "deputy": "plaatsvervanger", "ally": "bondgenoot"}


def room_link(crisis: Crisis) -> str:
    """The address of the crisis's page on the municipality's own host (the page opens the room)."""
    from agora.accounts.actors import current_municipality

    municipality = current_municipality()
    return link_for(municipality.slug if municipality else None, f"/crises/{crisis.pk}/")


def _ids(raw: Any, field: str) -> list[int]:
    if raw is None:
        return []
    if not isinstance(raw, (list, tuple)):
        raw = [raw]
    ids = []
    for value in raw:
        pk = parse_id(value)
        if pk is None:
            spec = (
                errors.CRISIS_COUNCIL_OUTSIDE_MUNICIPALITY
                if field == "council_ids"
                else errors.CRISIS_NEIGHBOURHOOD_OUTSIDE_MUNICIPALITY
            )
            raise spec(fields={field: [str(value)]})
        ids.append(pk)
    return list(dict.fromkeys(ids))


def _councils(council_ids: Iterable[int]) -> list[Council]:
    ids = list(council_ids)
    if not ids:
        raise errors.CRISIS_COUNCILS_REQUIRED(fields={"council_ids": ["required"]})
    found = {
        c.pk: c
        for c in Council.objects.filter(pk__in=ids).select_related(
            "municipal_lead__user", "municipal_deputy__user", "police_lead__user", "police_deputy__user"
        )
    }
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise errors.CRISIS_COUNCIL_OUTSIDE_MUNICIPALITY(fields={"council_ids": missing})
    return [found[pk] for pk in ids]


def _neighbourhoods(neighbourhood_ids: Iterable[int]) -> list[Neighbourhood]:
    ids = list(neighbourhood_ids)
    found = {n.pk: n for n in Neighbourhood.objects.filter(pk__in=ids)}
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise errors.CRISIS_NEIGHBOURHOOD_OUTSIDE_MUNICIPALITY(fields={"neighbourhood_ids": missing})
    return [found[pk] for pk in ids]


@dataclass
class _Call:
    convocation: Convocation
    recipient: Recipient


def _staff_call(crisis: Crisis, membership, side: str, position: str, now: dt.datetime) -> _Call:
    user = membership.user
    active = membership.is_active and user.is_active
    mobile = working_number(membership.mobile) if active else ""
    email = user.email if active else ""
    channels = (["app"] if active else []) + (["sms"] if mobile else []) + (["email"] if email else [])
    convocation = Convocation(
        crisis=crisis,
        side=side,
        position=position,
        membership=membership,
        user=user,
        notified_at=now,
        channels=channels,
        reachable=bool(channels),
        delivery=planned_delivery(Recipient(mobile=mobile, email=email), has_login=active),
    )
    return _Call(convocation, Recipient(mobile=mobile, email=email))


def _ally_call(crisis: Crisis, key_figure, now: dt.datetime) -> _Call:
    user = key_figure.user if key_figure.user_id and key_figure.user.is_active else None
    mobile = working_number(key_figure.mobile)
    email = key_figure.email
    channels = (["app"] if user else []) + (["sms"] if mobile else []) + (["email"] if email else [])
    convocation = Convocation(
        crisis=crisis,
        side=Side.ALLY,
        position="ally",
        key_figure=key_figure,
        user=user,
        notified_at=now,
        channels=channels,
        reachable=bool(channels),
        delivery=planned_delivery(Recipient(mobile=mobile, email=email), has_login=user is not None),
    )
    return _Call(convocation, Recipient(mobile=mobile, email=email))


def call_message(crisis: Crisis, position: str, *, urgent: bool = False) -> CallMessage:
    """The text of a call: the crisis, the person's own position, the link. Nobody else's data."""
    from agora.accounts.actors import current_municipality

    municipality = current_municipality()
    town = municipality.name if municipality else ""
    what = "OEFENALARM" if crisis.is_drill else "CRISIS"
    again = " (nogmaals: trekker reageert niet)" if urgent else ""
    text = (
        f"{what} {town}: {crisis.title}. U bent opgeroepen als {POSITION_LABELS.get(position, position)}"
        f"{again}. Antwoord: ik kom / op afstand / kan niet."
    )
    return CallMessage(subject=f"{what} {town}: {crisis.title}", text=text, link=room_link(crisis))


def notify_on_commit(
    crisis: Crisis, calls: list[tuple[Convocation, Recipient]], *, urgent: bool = False
) -> None:
    """Send the calls through the notifiers once the data is committed (after the in-app event),
    then record per channel what became of each (``tenants.crises.actions.delivery``)."""
    from django.db import connection

    from tenants.crises.actions.delivery import PendingCall, send_calls

    pending = [
        PendingCall(convocation.pk, recipient, call_message(crisis, convocation.position, urgent=urgent))
        for convocation, recipient in calls
    ]
    crisis_id, schema = crisis.pk, connection.schema_name
    transaction.on_commit(lambda: send_calls(crisis_id, pending, schema=schema))


def _convene(crisis: Crisis, councils: list[Council], now: dt.datetime) -> list[Convocation]:
    """One convocation per person of the councils, lead over deputy over ally; then the calls."""
    calls: dict[tuple[str, int], _Call] = {}
    deputies: list[tuple[tuple[str, int], tuple[str, int]]] = []
    # The councils come from _councils() with their leads and deputies (and users) loaded.
    for position in ("lead", "deputy"):
        for council in councils:
            for side in (Side.MUNICIPAL, Side.POLICE):
                membership = getattr(council, f"{side}_{position}")
                if membership is None:
                    continue
                key = ("m", membership.pk)
                if key not in calls:
                    calls[key] = _staff_call(crisis, membership, side, position, now)
                if position == "deputy":
                    lead = getattr(council, f"{side}_lead")
                    deputies.append((("m", lead.pk), key))
    for council in councils:
        for seat in council.members.filter(left_on__isnull=True, key_figure__is_ally=True).select_related(
            "key_figure__user"
        ):
            key = ("k", seat.key_figure_id)
            if key not in calls:
                calls[key] = _ally_call(crisis, seat.key_figure, now)
    Convocation.objects.bulk_create([call.convocation for call in calls.values()])
    linked = []
    for lead_key, deputy_key in deputies:
        lead, deputy = calls[lead_key].convocation, calls[deputy_key].convocation
        if lead.position == "lead" and lead.deputy_id is None and lead.pk != deputy.pk:
            lead.deputy = deputy
            linked.append(lead)
    if linked:  # one statement for every lead's deputy, not one per lead
        Convocation.objects.bulk_update(linked, ["deputy"])
    convocations = [call.convocation for call in calls.values()]
    # The roll-call from the rows just written (no second read of what this transaction holds).
    rollcall = rollcall_rows(crisis, now, convocations=convocations)
    append_event(crisis, "rollcall.convened", {"rollcall": rollcall}, at=now)
    send_event_on_commit(
        "events",
        "crisis.convened",
        {
            "crisis_id": crisis.pk,
            "is_drill": crisis.is_drill,
            "kind": crisis.kind,
            "deadline_at": crisis.deadline_at.isoformat(),
            "link": room_link(crisis),
        },
        ally_ids=[c.key_figure_id for c in convocations if c.key_figure_id and c.user_id],
    )
    notify_on_commit(crisis, [(call.convocation, call.recipient) for call in calls.values()])
    return convocations


def _declare(
    *,
    title: str,
    kind: str,
    councils: list[Council],
    neighbourhoods: list[Neighbourhood],
    is_drill: bool,
    acting_user: Any,
    now: dt.datetime,
) -> Crisis:
    rules = current_settings()
    crisis = Crisis.objects.create(
        title=title,
        kind=kind,
        is_drill=is_drill,
        declared_at=now,
        declared_by=acting_user,
        deadline_at=now + dt.timedelta(minutes=rules.goal_minutes),
    )
    crisis.councils.set(councils)
    crisis.neighbourhoods.set(neighbourhoods)
    append_event(
        crisis,
        "crisis.declared",
        {
            "title": title,
            "kind": kind,
            "is_drill": is_drill,
            "council_ids": [c.pk for c in councils],
            "neighbourhood_ids": [n.pk for n in neighbourhoods],
            "deadline_at": crisis.deadline_at.isoformat(),
        },
        author=acting_user,
        at=now,
    )
    _convene(crisis, councils, now)
    announce_crisis_change(crisis, "declared", at=now)  # the national stream; nothing for a drill
    record_action(
        "crises.drill_started" if is_drill else "crises.declared",
        actor=acting_user,
        obj=crisis,
        detail={"council_ids": [c.pk for c in councils], "kind": kind},
    )
    return crisis


@transaction.atomic
def do_declare_crisis(
    *,
    title: str,
    kind: str,
    council_ids: Any,
    neighbourhood_ids: Any = (),
    acting_user: Any,
    now: dt.datetime | None = None,
) -> Crisis:
    """An official or police officer declares a crisis and convenes the councils named."""
    require_staff(acting_user)
    title = (title or "").strip() if isinstance(title, str) else ""
    if not title or len(title) > 200:
        raise errors.CRISIS_TITLE_REQUIRED(fields={"title": ["invalid"]})
    if kind not in CrisisKind.values:
        raise errors.CRISIS_KIND_INVALID(fields={"kind": [str(kind)]})
    councils = _councils(_ids(council_ids, "council_ids"))
    neighbourhoods = _neighbourhoods(_ids(neighbourhood_ids, "neighbourhood_ids"))
    return _declare(
        title=title,
        kind=kind,
        councils=councils,
        neighbourhoods=neighbourhoods,
        is_drill=False,
        acting_user=acting_user,
        now=now or timezone.now(),
    )


@transaction.atomic
def do_start_drill(council: Council | Any, *, acting_user: Any, now: dt.datetime | None = None) -> Crisis:
    """A reachability drill (oefenalarm) of one council: the same calls, marked as a drill, no room."""
    require_staff(acting_user)
    pk = council.pk if isinstance(council, Council) else parse_id(council)
    (found,) = _councils([pk]) if pk else _councils([0])
    return _declare(
        title=f"Oefenalarm {found.name}",
        kind=CrisisKind.INCIDENT,
        councils=[found],
        neighbourhoods=[],
        is_drill=True,
        acting_user=acting_user,
        now=now or timezone.now(),
    )
