"""Demo crises: an open crisis room in Utrecht, a closed one with its timeline in Amersfoort,
and a reachability drill in Leusden.

Run inside the municipality's schema after the councils demo. Idempotent by title: what exists
is left alone. Everything goes through the actions with explicit instants, so the log, the
roll-call and the timeline obey the same rules as real use. Returns ``(label, path)`` pairs on
the municipality's host for ``agora demo`` to print with its address.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.utils import timezone

from agora.accounts.actors import actor_for
from agora.accounts.models import User
from agora.municipalities.models import Municipality
from tenants.councils.models import Council
from tenants.crises import actions
from tenants.crises.models import Answer, Convocation, Crisis

OPEN_TITLE = "Onrust na incident bij winkelcentrum"
CLOSED_TITLE = "Spanningen na aangekondigde demonstratie"
# Stable ids of the demo posts, so a restart posts nothing twice.
NAMESPACE = uuid.UUID("5f0c4a3e-9d57-4c55-8a86-2e8f9b6c1d20")


def _answer_all(crisis: Crisis, municipality: Municipality, start: dt.datetime) -> None:
    """Each convened person with a login answers, a few minutes apart (ally logins where they exist)."""
    from agora.demo import ensure_ally_logins

    ensure_ally_logins(municipality)
    minutes = 3
    for convocation in Convocation.objects.filter(crisis=crisis).select_related(
        "membership__user", "key_figure"
    ):
        user = convocation.membership.user if convocation.membership_id else convocation.key_figure.user
        if user is None or not actor_for(user, municipality).is_member or convocation.answer:
            continue
        answer = Answer.REMOTE if convocation.position == "deputy" else Answer.COMING
        actions.do_respond(
            crisis.pk,
            answer=answer,
            eta_minutes=15,
            acting_user=user,
            now=start + dt.timedelta(minutes=minutes),
        )
        minutes += 4


def _post(crisis: Crisis, user: User, body: str, at: dt.datetime, kind: str = "message", **extra) -> None:
    actions.do_post_entry(
        crisis.pk,
        client_msg_id=uuid.uuid5(NAMESPACE, f"{crisis.pk}:{body}"),
        body=body,
        kind=kind,
        acting_user=user,
        now=at,
        **extra,
    )


def _open_crisis(municipality: Municipality, staff: dict[str, User], council: Council) -> Crisis:
    crisis = Crisis.objects.filter(title=OPEN_TITLE).first()
    if crisis is not None:
        return crisis
    start = timezone.now() - dt.timedelta(minutes=25)
    official, police = staff["official"], staff["police"]
    crisis = actions.do_declare_crisis(
        title=OPEN_TITLE, kind="unrest", council_ids=[council.pk], acting_user=official, now=start
    )
    _answer_all(crisis, municipality, start)
    _post(
        crisis,
        police,
        "Twee groepen jongeren bij de ingang; collega's zijn onderweg.",
        start + dt.timedelta(minutes=9),
    )
    _post(
        crisis,
        official,
        "Buurthuis De Boog is open als ontmoetingsplek.",
        start + dt.timedelta(minutes=12),
        "decision",
    )
    _post(
        crisis,
        official,
        "Ouders van de betrokken jongeren bellen",
        start + dt.timedelta(minutes=14),
        "task",
        owner_id=police.pk,
    )
    actions.do_update_summary(
        crisis.pk,
        text="Onrust bij het winkelcentrum na een vechtpartij; politie ter plaatse, buurthuis open.",
        acting_user=official,
        now=start + dt.timedelta(minutes=15),
    )
    return crisis


def _closed_crisis(municipality: Municipality, staff: dict[str, User], council: Council) -> Crisis:
    crisis = Crisis.objects.filter(title=CLOSED_TITLE).first()
    if crisis is not None:
        return crisis
    start = timezone.now() - dt.timedelta(days=12, hours=3)
    official, police = staff["official"], staff["police"]
    crisis = actions.do_declare_crisis(
        title=CLOSED_TITLE, kind="planned_action", council_ids=[council.pk], acting_user=police, now=start
    )
    _answer_all(crisis, municipality, start)
    _post(
        crisis,
        official,
        "Afspraak: bondgenoten lopen mee langs de route.",
        start + dt.timedelta(minutes=30),
        "decision",
    )
    actions.do_update_summary(
        crisis.pk,
        text="Demonstratie rustig verlopen; bondgenoten waren zichtbaar langs de route.",
        acting_user=official,
        now=start + dt.timedelta(hours=2),
    )
    return actions.do_close_crisis(crisis.pk, acting_user=official, now=start + dt.timedelta(hours=3))


def load_demo(municipality: Municipality, staff: dict[str, User]) -> list[tuple[str, str]]:
    council = Council.objects.order_by("pk").first()
    if council is None:
        return []
    if municipality.slug == "utrecht":
        crisis = _open_crisis(municipality, staff, council)
        return [
            ("open crisis room (page)", f"/crises/{crisis.pk}/?room=1"),
            ("open crisis room (socket)", f"/ws/crisis/{crisis.pk}/"),
            ("open crisis (REST)", f"/api/v1/crises/{crisis.pk}/"),
        ]
    if municipality.slug == "amersfoort":
        crisis = _closed_crisis(municipality, staff, council)
        return [("closed crisis, after-action timeline", f"/api/v1/crises/{crisis.pk}/timeline/?format=html")]
    if municipality.slug == "leusden" and not Crisis.objects.filter(is_drill=True).exists():
        drill = actions.do_start_drill(
            council, acting_user=staff["official"], now=timezone.now() - dt.timedelta(days=40)
        )
        _answer_all(drill, municipality, drill.declared_at)
    return []
