"""Passing a seat on: the network stays in the organisation when a lead or deputy goes.

The method's lesson "keep the network in the organisation": the council must keep working when
the usual contact at the municipality or the police is absent. So a seat is never simply
vacated. When a lead steps down (:func:`do_hand_over_seat`) or a lead's or deputy's membership
ends (:func:`hand_over_all_seats`, called by ``agora.accounts.actions.do_end_membership``), in
ONE transaction:

- the deputy moves into the lead seat and the deputy seat becomes empty (a deputy who leaves
  leaves only their own seat empty; a lead with no deputy leaves the lead seat empty, which
  council health flags);
- the leaving person's open work within the council's reach goes to the successor: open signals
  (owner), planned notices (the issuer allies turn to) and follow-up contacts (who follows up);
- a :class:`~tenants.councils.models.Handover` row records what was open (counts and ids, no free
  text about persons) for the successor to read, and the audit log records the step.

If any step fails, nothing of it stays: the seat, the work and the record move together or not.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from agora.accounts.actors import require_staff
from agora.accounts.models import Membership
from agora.audit.actions import record_action
from tenants.councils import errors
from tenants.councils.models import Council, Handover

# side -> (lead field, deputy field)
SIDE_SEATS: dict[str, tuple[str, str]] = {
    "municipal": ("municipal_lead", "municipal_deputy"),
    "police": ("police_lead", "police_deputy"),
}
_SIDE_LABELS = {"municipal": ("de gemeente", "municipal"), "police": ("de politie", "police")}


def _in_reach(council: Council) -> tuple[Q, Q, Q]:
    """Filters for the signals, notices and follow-ups that belong to this council's reach.

    A council covering the whole municipality reaches all of them; otherwise its neighbourhoods
    (signals, the key figures of follow-ups) and its own notices. Its seated allies always count,
    wherever they live.
    """
    seated = Q(key_figure__council_seats__council=council, key_figure__council_seats__left_on__isnull=True)
    if council.covers_whole_municipality:
        return Q(), Q(council=council) | Q(council__isnull=True), Q()
    scope = list(council.neighbourhoods.values_list("pk", flat=True))
    return (
        Q(neighbourhood_id__in=scope),
        Q(council=council),
        Q(key_figure__neighbourhood_id__in=scope) | seated,
    )


def open_work(leaving: Membership, council: Council | None = None) -> dict[str, QuerySet]:
    """What is still assigned to ``leaving``: open signals, planned notices, follow-up contacts.

    With ``council``: only what lies within that council's reach. Imported lazily: the signals
    app depends on this one.
    """
    from tenants.networkmap.models import ContactMoment
    from tenants.signals.models import Notice, Signal
    from tenants.signals.workflow import SignalStatus

    signals_q, notices_q, follow_ups_q = _in_reach(council) if council is not None else (Q(), Q(), Q())
    return {
        "signals": Signal.objects.filter(signals_q, owner=leaving).exclude(status=SignalStatus.CLOSED),
        "notices": Notice.objects.filter(
            notices_q, issued_by_id=leaving.user_id, planned_start__gte=timezone.now()
        ),
        "follow_ups": ContactMoment.objects.filter(follow_ups_q, follow_up_by=leaving),
    }


def move_work(work: dict[str, QuerySet], successor: Membership | None) -> dict[str, dict[str, Any]]:
    """Give every row of ``work`` to ``successor`` (or to nobody); return counts and ids per kind."""
    summary: dict[str, dict[str, Any]] = {}
    fields = {"signals": "owner", "notices": "issued_by", "follow_ups": "follow_up_by"}
    for kind, queryset in work.items():
        ids = sorted(set(queryset.values_list("pk", flat=True)))
        model = queryset.model
        if ids:
            value = successor.user if kind == "notices" and successor is not None else successor
            model.objects.filter(pk__in=ids).update(**{fields[kind]: value})
        summary[kind] = {"count": len(ids), "ids": ids}
    return summary


def _pass_seat(
    council: Council, side: str, seat: str, leaving: Membership, *, acting_user, reason: str
) -> Handover:
    """Move the seats of ``council`` (locked by the caller) and the open work; write the record."""
    lead_field, deputy_field = SIDE_SEATS[side]
    if seat == "lead":
        successor = getattr(council, deputy_field)
        setattr(council, lead_field, successor)
    else:
        successor = getattr(council, lead_field)
    setattr(council, deputy_field, None)
    council.save(update_fields=[lead_field, deputy_field, "updated_at"])
    summary: dict[str, Any] = move_work(open_work(leaving, council), successor)
    summary["successor_has_mobile"] = bool(successor and successor.mobile)
    handover = Handover.objects.create(
        council=council,
        side=side,
        seat=seat,
        from_membership=leaving,
        to_membership=successor,
        reason=reason.strip()[:200],
        summary=summary,
        handed_over_by=acting_user,
    )
    record_action(
        "councils.seat_handed_over",
        actor=acting_user,
        obj=council,
        detail={
            "handover": handover.pk,
            "side": side,
            "seat": seat,
            "from_membership": leaving.pk,
            "to_membership": successor.pk if successor else None,
            "open": {kind: summary[kind]["count"] for kind in ("signals", "notices", "follow_ups")},
        },
    )
    return handover


@transaction.atomic
def do_hand_over_seat(council: Council, side: str, *, acting_user, reason: str = "") -> Handover:
    """The lead of ``side`` ("municipal" or "police") steps down: the deputy takes the seat and the work.

    A lead steps down only to a deputy (``no_deputy_to_take_over`` otherwise: name a new lead with
    ``do_set_council_leads`` instead), so the council is never left without its member of that side.
    """
    require_staff(acting_user)
    if side not in SIDE_SEATS:
        raise errors.HANDOVER_SIDE_INVALID(fields={"side": [str(side)]})
    council = (
        Council.objects.select_for_update(of=("self",)).select_related(*SIDE_SEATS[side]).get(pk=council.pk)
    )
    lead_field, deputy_field = SIDE_SEATS[side]
    leaving = getattr(council, lead_field)
    if leaving is None or getattr(council, deputy_field) is None:
        side_nl, side_en = _SIDE_LABELS[side]
        raise errors.NO_DEPUTY_TO_TAKE_OVER(side_nl=side_nl, side_en=side_en, fields={"side": [side]})
    return _pass_seat(council, side, "lead", leaving, acting_user=acting_user, reason=reason)


def hand_over_all_seats(leaving: Membership, *, acting_user, reason: str = "") -> list[Handover]:
    """Every seat ``leaving`` holds in this municipality's councils is passed on (their membership ended).

    Runs inside the caller's transaction, in the municipality's schema. Work outside every
    council's reach has nobody to go to: it is left unassigned (visible as such in the signal
    queue) rather than with a person who is gone, and the audit log says which.
    """
    seats = Q()
    for lead_field, deputy_field in SIDE_SEATS.values():
        seats |= Q(**{lead_field: leaving}) | Q(**{deputy_field: leaving})
    handovers: list[Handover] = []
    councils = (
        Council.objects.select_for_update(of=("self",))
        .filter(seats)
        .select_related(*(f for pair in SIDE_SEATS.values() for f in pair))
        .order_by("pk")
    )
    for council in councils:
        for side, (lead_field, deputy_field) in SIDE_SEATS.items():
            if getattr(council, f"{lead_field}_id") == leaving.pk:
                handovers.append(
                    _pass_seat(council, side, "lead", leaving, acting_user=acting_user, reason=reason)
                )
            elif getattr(council, f"{deputy_field}_id") == leaving.pk:
                handovers.append(
                    _pass_seat(council, side, "deputy", leaving, acting_user=acting_user, reason=reason)
                )
    leftover = move_work(open_work(leaving), None)
    _unassign_neighbourhood_contacts(leaving, handovers)
    if any(part["count"] for part in leftover.values()):
        record_action(
            "councils.open_work_unassigned",
            actor=acting_user,
            obj=leaving,
            detail={"membership": leaving.pk, **leftover},
        )
    return handovers


def _unassign_neighbourhood_contacts(leaving: Membership, handovers: list[Handover]) -> None:
    """The map names no person who left: their neighbourhoods go to their successor on that side."""
    from tenants.networkmap.models import Neighbourhood

    successor = next((h.to_membership for h in handovers if h.to_membership is not None), None)
    for neighbourhood in Neighbourhood.objects.filter(municipal_contact=leaving):
        neighbourhood.municipal_contact = successor if successor and successor.role == leaving.role else None
        neighbourhood.save(update_fields=["municipal_contact"])
    for neighbourhood in Neighbourhood.objects.filter(police_officers=leaving):
        neighbourhood.police_officers.remove(leaving)
        if successor is not None and successor.role == leaving.role:
            neighbourhood.police_officers.add(successor)
