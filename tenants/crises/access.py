"""Who sees which crisis, through the one actor core.

Officials and police officers of the municipality see every crisis (and drill) of it; an ally
sees a crisis only if they were convened for it (one of their ally key figures has a
convocation). Anyone else sees none. A missing id and a forbidden one are both ``not_found``,
and an id of another municipality does not exist in this schema: the room never says which.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from agora.accounts.actors import Actor, current_actor
from agora.errors import NOT_FOUND
from agora.ids import parse_id
from tenants.crises.models import Convocation, Crisis


def crises_visible_to(user: Any) -> QuerySet[Crisis]:
    actor = current_actor(user)
    if actor.is_staff:
        return Crisis.objects.all()
    if actor.is_ally and actor.ally_key_figure_ids:
        return Crisis.objects.filter(convocations__key_figure_id__in=actor.ally_key_figure_ids).distinct()
    return Crisis.objects.none()


@dataclass(frozen=True)
class RoomSeat:
    """A user in one crisis: their actor and, if they were called, their convocation."""

    actor: Actor
    crisis: Crisis
    convocation: Convocation | None


def convocation_of(actor: Actor, crisis: Crisis | int) -> Convocation | None:
    """The convocation of this person in ``crisis`` (by membership, or by their ally key figures)."""
    crisis_id = crisis if isinstance(crisis, int) else crisis.pk
    if actor.is_staff and actor.membership is not None:
        return Convocation.objects.filter(crisis_id=crisis_id, membership_id=actor.membership.pk).first()
    if actor.is_ally and actor.ally_key_figure_ids:
        return (
            Convocation.objects.filter(crisis_id=crisis_id, key_figure_id__in=actor.ally_key_figure_ids)
            .order_by("pk")
            .first()
        )
    return None


def access_crisis_by_id(user: Any, crisis_id: Any, *, for_update: bool = False) -> RoomSeat:
    """The crisis ``crisis_id`` with the user's seat in it; ``not_found`` if they may not see it."""
    pk = parse_id(crisis_id)
    actor = current_actor(user)
    if pk is None or not actor.is_member:
        raise NOT_FOUND()
    query = Crisis.objects.select_for_update() if for_update else Crisis.objects.all()
    crisis = query.filter(pk=pk).first()
    if crisis is None:
        raise NOT_FOUND()
    convocation = convocation_of(actor, crisis)
    if not actor.is_staff and convocation is None:
        raise NOT_FOUND()
    return RoomSeat(actor=actor, crisis=crisis, convocation=convocation)


ROLLCALL_PURPOSE = "crisis room roll-call"


def log_rollcall_read(user: Any, crisis: Crisis) -> None:
    """The roll-call names the convened allies (their key figure records): one read row each.

    Staff are named by name only, without contact data, as everywhere (ADR 0005).
    """
    from agora.audit.actions import log_person_reads
    from tenants.networkmap.models import KeyFigure

    convened = Convocation.objects.filter(crisis=crisis, key_figure__isnull=False).values("key_figure_id")
    figures = list(KeyFigure.objects.filter(pk__in=convened).order_by("pk"))
    log_person_reads(actor=user, objs=figures, purpose=f"{ROLLCALL_PURPOSE} {crisis.pk}")
