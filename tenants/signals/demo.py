"""Demo signals and a planned-intervention notice for one municipality.

Run inside the municipality's schema after the network-map, selection and councils demos.
Idempotent by natural keys (a signal's description, a notice's title): what exists is left
alone. Everything goes through the actions, with explicit past instants, so the history obeys
the same rules and leaves the same audit trail as real use. Nobody is made an ally here; with
no allies there are no signals.

The platform creates ally logins only after every app's demo has run; this demo asks for them
earlier (``ensure_ally_logins`` is idempotent) so that allies raise, reopen and confirm in their
own name rather than staff doing it for them.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from dataclasses import dataclass

from django.utils import timezone

from agora.accounts.actors import actor_for
from agora.accounts.models import Membership, User
from agora.municipalities.models import Municipality
from tenants.networkmap.models import KeyFigure, Neighbourhood
from tenants.signals import actions
from tenants.signals.deadlines import overdue_days
from tenants.signals.models import Notice, NoticeVisibility, Signal

logger = logging.getLogger(__name__)
AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")


@dataclass(frozen=True)
class DemoSignal:
    days_ago: int
    category: str
    description: str
    answer: str = ""
    answer_after_hours: float | None = None  # None: not answered
    owner: str = "police"
    close: bool = False
    reopen_note: str = ""  # the ally reopens, and gets a second answer
    ally_index: int = 0


NOTICE_TITLE = "Aangekondigde controle bedrijfsverzamelgebouw aan de Kanaalweg"


def demo_signals() -> tuple[DemoSignal, ...]:
    """The history: varied response times, one overdue (by this municipality's rule), one open."""
    return (
        DemoSignal(
            120,
            "pest",
            "Ratten bij de ondergrondse containers achter het buurthuis; kinderen spelen daar.",
            "Ongediertebestrijding is langs geweest en heeft lokdozen geplaatst.",
            5,
            owner="official",
            close=True,
            ally_index=2,  # an ally without a login: the official noted it down by phone
        ),
        DemoSignal(
            95,
            "illegal_dumping",
            "Grofvuil en oude matrassen worden elk weekend bij de flat gedumpt.",
            "Gemeentereiniging haalt het op; handhaving controleert de komende weekenden.",
            26,
            owner="official",
            close=True,
            ally_index=1,
        ),
        DemoSignal(
            70,
            "bullying",
            "Kinderen van nieuwkomers worden op weg naar school gepest en uitgescholden.",
            "De wijkagent gaat met de school en de jongerenwerker om tafel; we houden u op de hoogte.",
            3,
        ),
        DemoSignal(
            40,
            "safety",
            "Het pad langs het water is 's avonds donker; vrouwen voelen zich er onveilig.",
            "De lantaarnpalen staan op de planning voor vervanging.",
            52,
            owner="official",
            reopen_note="Er is nog niets gebeurd, het is nog steeds donker.",
        ),
        DemoSignal(
            overdue_days() + 5,
            "safety",
            "Een groep jongeren intimideert voorbijgangers bij het winkelcentrum.",
            ally_index=1,
        ),
        DemoSignal(2, "other", "Kan de gemeente helpen met een vergunning voor het buurtfeest?", owner=""),
    )


def _logins_for_allies(municipality: Municipality) -> None:
    from agora.demo import ensure_ally_logins

    ensure_ally_logins(municipality)


def _acting_ally(ally: KeyFigure, municipality: Municipality) -> User | None:
    """The ally's own login, if they have one with the ally role here."""
    if ally.user_id is None:
        return None
    return ally.user if actor_for(ally.user, municipality).is_ally else None


def load_demo(municipality: Municipality, staff: dict[str, User]) -> None:
    """Signals by allies over the last months with answers, and one notice with some receipts."""
    allies = list(KeyFigure.objects.filter(is_ally=True).order_by("pk"))
    if not allies:
        logger.info("No allies in %s: no demo signals or notices", municipality.name)
        return
    _logins_for_allies(municipality)
    allies = list(KeyFigure.objects.filter(is_ally=True).select_related("user").order_by("pk"))
    fallback_neighbourhood = Neighbourhood.objects.order_by("pk").first()
    now = timezone.now()

    for spec in demo_signals():
        if Signal.objects.filter(description=spec.description).exists():
            continue
        ally = allies[spec.ally_index % len(allies)]
        neighbourhood = ally.neighbourhood or fallback_neighbourhood
        if neighbourhood is None:
            return
        own_login = _acting_ally(ally, municipality)
        # An evening in Amsterdam, then UTC: "52 hours later" is real time even across a clock
        # change (wall-clock arithmetic on an Amsterdam datetime would make it 51 or 53).
        raised_at = (
            (now - dt.timedelta(days=spec.days_ago))
            .astimezone(AMSTERDAM)
            .replace(hour=20, minute=15, second=0, microsecond=0)
            .astimezone(dt.UTC)
        )
        signal = actions.do_raise_signal(
            category=spec.category,
            neighbourhood_id=neighbourhood.pk,
            description=spec.description,
            ally_id=None if own_login else ally.pk,
            acting_user=own_login or staff["official"],
            raised_at=raised_at,
        )
        if not spec.owner:
            continue
        owner = Membership.objects.get(user=staff[spec.owner], municipality_id=municipality.pk)
        actions.do_assign_signal_owner(signal, owner_membership_id=owner.pk, acting_user=staff["official"])
        if spec.answer_after_hours is None:
            continue
        answered_at = raised_at + dt.timedelta(hours=spec.answer_after_hours)  # raised_at is in UTC
        actions.do_answer_signal(
            signal, body=spec.answer, acting_user=staff[spec.owner], answered_at=answered_at
        )
        if spec.reopen_note and own_login is not None:
            reopened_at = answered_at + dt.timedelta(days=10)
            actions.do_reopen_signal(
                signal, acting_user=own_login, note=spec.reopen_note, reopened_at=reopened_at
            )
            actions.do_answer_signal(
                signal,
                body="Excuses; de aannemer komt deze week. Tot die tijd rijdt de politie extra surveillance.",
                acting_user=staff[spec.owner],
                answered_at=reopened_at + dt.timedelta(hours=20),
            )
        if spec.close:
            actions.do_close_signal(
                signal, acting_user=staff[spec.owner], closed_at=answered_at + dt.timedelta(days=7)
            )

    _load_notice(municipality, staff, allies, now)


def _load_notice(municipality: Municipality, staff: dict[str, User], allies: list[KeyFigure], now) -> None:
    if Notice.objects.filter(title=NOTICE_TITLE).exists():
        return
    from tenants.councils.models import Council

    council = Council.objects.order_by("pk").first()
    recipients = [] if council is not None else [ally.pk for ally in allies[:3]]
    planned_start = (
        (now + dt.timedelta(days=4)).astimezone(AMSTERDAM).replace(hour=6, minute=0, second=0, microsecond=0)
    )
    notice = actions.do_publish_notice(
        title=NOTICE_TITLE,
        description=(
            "Donderdagochtend controleren politie, gemeente en Belastingdienst het bedrijfsverzamelgebouw. "
            "Er zal veel politie op straat zijn; er is geen gevaar voor de buurt. Wilt u uw achterban "
            "geruststellen als er vragen komen?"
        ),
        planned_start=planned_start,
        visibility=NoticeVisibility.CONFIDENTIAL,
        council_id=council.pk if council is not None else None,
        recipient_ids=recipients,
        acting_user=staff["police"],
        now=now - dt.timedelta(days=1),
    )
    # Some allies have confirmed reading it; the others have not (yet).
    informed = set(notice.recipients.values_list("key_figure_id", flat=True))
    for ally in allies[: 2 if len(informed) > 2 else 1]:
        login = _acting_ally(ally, municipality)
        if login is not None and ally.pk in informed:
            actions.do_confirm_notice_read(notice, acting_user=login, read_at=now - dt.timedelta(hours=20))
