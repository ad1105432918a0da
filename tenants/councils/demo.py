"""Demo council of one municipality: the allies selected by the selection demo, with a history.

Run inside the municipality's schema after the network-map and selection demos. Idempotent:
a council that already exists is left as it is. Everything goes through the actions, so the
demo obeys the same rules (and writes the same audit trail) as real use. Nobody is made an
ally here: the council gets whichever allies the selection produced, even none.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.utils import timezone

from agora.accounts.models import Membership, User
from agora.municipalities.models import Municipality
from tenants.councils.actions import (
    do_add_council_members,
    do_cancel_meeting,
    do_create_council,
    do_hold_meeting,
    do_plan_meeting,
    do_propose_agenda_item,
    do_record_attendance,
    held_meeting_count,
)
from tenants.councils.models import AgendaItemKind, Council
from tenants.councils.rules import current_rules
from tenants.networkmap.models import KeyFigure

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")

# Days ago of the held meetings: every six weeks; the next one is planned before it is due.
HELD_DAYS_AGO = (198, 156, 114, 72, 30)
PLANNED_IN_DAYS = 10
MEALS_AND_PLACES = (
    ("Roti met kip, gekookt door de Surinaamse vrouwenvereniging", "Buurthuis De Boog"),
    ("Mezze en thee", "Ontmoetingsruimte van de moskee"),
    ("Erwtensoep en roggebrood", "Kantine van de voetbalvereniging"),
    ("Tajine met couscous", "Wijkcentrum"),
    ("Pannenkoeken", "Gemeenschapsruimte van de kerk"),
    ("Indonesische rijsttafel", "Buurthuis De Boog"),
)
NOTES = (
    "Kennismaking: ieder vertelde over zijn of haar achterban en waarom de buurt ertoe doet.",
    "Cijfers van de wijk besproken (overlast, woninginbraken); veel herkenning aan tafel.",
    "Tweede kennismakingsronde, nu bij elkaar thuis in de buurt. Telefoonnummers uitgewisseld.",
    "Eerste lokale onderwerp: jongeren die 's avonds bij het winkelcentrum hangen.",
    "Afspraken over elkaar bellen bij spanningen na incidenten; wijkagent stelde collega's voor.",
)


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=AMSTERDAM)


def _membership(user: User, municipality: Municipality) -> Membership:
    return Membership.objects.get(user=user, municipality_id=municipality.pk)


def load_demo(municipality: Municipality, staff: dict[str, User]) -> None:
    """One council per municipality with five held meetings, one planned, and an agenda."""
    name = f"Bondgenotenoverleg {municipality.name}"
    if Council.objects.filter(name=name).exists():
        return
    official = staff["official"]
    today = timezone.localdate()
    rules = current_rules()
    allies = list(
        KeyFigure.objects.filter(is_ally=True, is_professional_representative=False)
        .filter(residence_cbs_code__in=["", municipality.cbs_code])
        .order_by("pk")[: rules.max_allies]
    )
    started_on = today - dt.timedelta(days=HELD_DAYS_AGO[0] + 14)
    founders, later = allies[: rules.recommended_start_max], allies[rules.recommended_start_max :]
    council = do_create_council(
        name=name,
        municipal_lead_id=_membership(official, municipality).pk,
        municipal_deputy_id=_membership(staff["official2"], municipality).pk,
        police_lead_id=_membership(staff["police"], municipality).pk,
        police_deputy_id=_membership(staff["police2"], municipality).pk,
        covers_whole_municipality=True,
        key_figure_ids=[kf.pk for kf in founders],
        started_on=started_on,
        acting_user=official,
    ).council
    if later:
        # The council grows over time, as the method expects.
        do_add_council_members(
            council,
            [kf.pk for kf in later],
            joined_on=today - dt.timedelta(days=HELD_DAYS_AGO[2] + 7),
            acting_user=official,
        )

    leads = {council.municipal_lead_id, council.police_lead_id}
    for index, days_ago in enumerate(HELD_DAYS_AGO):
        day = today - dt.timedelta(days=days_ago)
        meal, place = MEALS_AND_PLACES[index]
        meeting = do_plan_meeting(
            council,
            starts_at=_at(day, 18),
            ends_at=_at(day, 21),
            place=place,
            meal=meal,
            acting_user=official,
        )
        seats = list(council.members.filter(joined_on__lte=day).order_by("pk"))
        if not seats:
            # A meeting counts as held only when an ally came; without allies it did not happen.
            do_cancel_meeting(meeting, reason="Nog geen bondgenoten", acting_user=official)
            continue
        do_record_attendance(
            meeting,
            # Somebody is always absent, but never everybody: the first seat always comes.
            members={seat.pk: n == 0 or (seat.pk + index) % 4 != 0 for n, seat in enumerate(seats)},
            leads={pk: True for pk in leads} | ({council.municipal_deputy_id: True} if index == 2 else {}),
            acting_user=official,
        )
        do_hold_meeting(meeting, notes=NOTES[index], acting_user=official)

    meal, place = MEALS_AND_PLACES[-1]
    planned_day = today + dt.timedelta(days=PLANNED_IN_DAYS)
    planned = do_plan_meeting(
        council,
        starts_at=_at(planned_day, 18),
        ends_at=_at(planned_day, 21),
        place=place,
        meal=meal,
        acting_user=official,
    )
    proposers = [kf.user for kf in allies if kf.user_id] or [official]
    items = (
        ("Zwerfafval en dumpingen achter de flats", AgendaItemKind.LOCAL_PROBLEM, proposers[0]),
        ("Iftar-maaltijd voor de hele buurt", AgendaItemKind.GENERAL, proposers[-1]),
        ("Veiligheidsgevoel van ouderen in de avond", AgendaItemKind.LOCAL_PROBLEM, staff["police"]),
    )
    relationship_built = held_meeting_count(council) >= rules.relationship_meetings
    for title, kind, proposer in items:
        if kind == AgendaItemKind.LOCAL_PROBLEM and not relationship_built:
            kind = AgendaItemKind.GENERAL  # local problems wait for the relationship (no allies yet)
        do_propose_agenda_item(council, title=title, kind=kind, meeting_id=planned.pk, acting_user=proposer)
