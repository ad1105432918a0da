"""What a council hands out: its contact sheet, as JSON or vCard, and its meetings as iCalendar.

Plain data, no writes but the read log. The contact sheet is the method's "everybody has
everybody's mobile number": every member of one council (allies, both leads and their
deputies) for the other members of that council. Who may see it is decided by
``tenants.councils.access``; every read is logged per person.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypedDict

from django.db import connection
from django.utils import translation
from icalendar import Calendar, Event

from agora.accounts.models import Membership
from agora.audit.actions import log_person_reads
from tenants.councils.models import Council, Meeting
from tenants.councils.vcard import Card, as_vcard, structured_name
from tenants.councils.workflow import MeetingStatus

CONTACT_SHEET_PURPOSE = "council contact sheet"


class Contact(TypedDict):
    seat: str  # "ally" | "municipal_lead" | "municipal_deputy" | "police_lead" | "police_deputy"
    side: str  # "municipal" | "police" | "ally"
    role_label: str  # what the sheet shows: "gemeente", "politie", "bondgenoot"
    name: str
    given_name: str
    infix: str
    surname: str
    title: str
    mobile: str
    email: str
    organisation: str
    uid: str  # stable across hosts and ports: the schema and the person's record
    is_you: bool


SEAT_LABELS: dict[str, str] = {
    "municipal_lead": "Trekker gemeente",
    "municipal_deputy": "Plaatsvervanger gemeente",
    "police_lead": "Trekker politie",
    "police_deputy": "Plaatsvervanger politie",
    "ally": "Bondgenoot",
}
ROLE_LABELS: dict[str, str] = {"municipal": "gemeente", "police": "politie", "ally": "bondgenoot"}


def _schema() -> str:
    return connection.schema_name


def staff_contact(seat: str, membership: Membership, *, viewer) -> Contact:
    """One lead or deputy as the sheet shows them: the number of their membership HERE."""
    user = membership.user
    side = "police" if seat.startswith("police") else "municipal"
    given, infix, surname = structured_name(user.first_name, user.last_name)
    if not (given or surname):
        surname = user.username
    municipality = getattr(connection, "tenant", None)
    return {
        "seat": seat,
        "side": side,
        "role_label": ROLE_LABELS[side],
        "name": user.display_name,
        "given_name": given,
        "infix": infix,
        "surname": surname,
        "title": membership.title,
        "mobile": membership.mobile,
        "email": user.email,
        "organisation": "Politie"
        if side == "police"
        else f"Gemeente {getattr(municipality, 'name', '')}".strip(),
        "uid": f"{_schema()}-membership-{membership.pk}",
        "is_you": user.pk == viewer.pk,
    }


def contact_sheet(council: Council, *, viewer) -> list[Contact]:
    """Everyone on the council with their mobile number, ordered by name (no ranking), reads logged."""
    contacts: list[Contact] = []
    read: list[Any] = []
    for seat, membership in (
        ("municipal_lead", council.municipal_lead),
        ("municipal_deputy", council.municipal_deputy),
        ("police_lead", council.police_lead),
        ("police_deputy", council.police_deputy),
    ):
        if membership is None:
            continue
        contacts.append(staff_contact(seat, membership, viewer=viewer))
        read.append(membership.user)
    # A seat whose holder is no longer an ally (selection revoked) gives out no number.
    seats = council.members.filter(left_on__isnull=True, key_figure__is_ally=True).select_related(
        "key_figure"
    )
    for member in seats:
        kf = member.key_figure
        given, infix, surname = structured_name(kf.first_name, kf.last_name, kf.infix)
        contacts.append(
            {
                "seat": "ally",
                "side": "ally",
                "role_label": ROLE_LABELS["ally"],
                "name": kf.full_name,
                "given_name": given,
                "infix": infix,
                "surname": surname,
                "title": "",
                "mobile": kf.mobile,
                "email": kf.email,
                "organisation": "",
                "uid": f"{_schema()}-key-figure-{kf.pk}",
                "is_you": kf.user_id is not None and kf.user_id == viewer.pk,
            }
        )
        read.append(kf)
    log_person_reads(actor=viewer, objs=read, purpose=f"{CONTACT_SHEET_PURPOSE} {council.pk}")
    contacts.sort(key=lambda c: (c["surname"].casefold(), c["given_name"].casefold(), c["uid"]))
    return contacts


def call_links(council: Council) -> list[dict[str, str]]:
    """Tap-to-call data for an ally: the council's leads and deputies who have a number here.

    Minimal on purpose (name, side, a ``tel:`` URI): this is what the ally portal's "bel de
    wijkagent" / "bel de gemeente" buttons need, nothing more. The caller logs the reads.
    """
    english = (translation.get_language() or "nl")[:2] == "en"
    labels = {
        "municipal": "Call the municipality" if english else "Bel de gemeente",
        "police": "Call the neighbourhood police officer" if english else "Bel de wijkagent",
    }
    links = []
    for seat in ("police_lead", "police_deputy", "municipal_lead", "municipal_deputy"):
        membership = getattr(council, seat)
        if membership is None or not membership.mobile:
            continue
        side = "police" if seat.startswith("police") else "municipal"
        links.append(
            {
                "seat": seat,
                "side": side,
                "name": membership.user.display_name,
                "label": labels[side],
                "tel": "tel:" + membership.mobile.replace(" ", ""),
            }
        )
    return links


# --- exports ---


def contacts_as_vcard(contacts: list[Contact], *, council_name: str) -> str:
    """vCard 4.0 (RFC 6350) for every contact, written by :mod:`tenants.councils.vcard`."""
    cards: list[Card] = [
        {
            "uid": contact["uid"],
            "given_name": contact["given_name"],
            "infix": contact["infix"],
            "surname": contact["surname"],
            "side": contact["side"],
            "seat_label": SEAT_LABELS[contact["seat"]]
            + (f" ({contact['title']})" if contact["title"] else ""),
            "mobile": contact["mobile"],
            "email": contact["email"],
            "organisation": contact["organisation"],
        }
        for contact in contacts
    ]
    return as_vcard(cards, council_name=council_name)


def _default_end(starts_at: dt.datetime) -> dt.datetime:
    """Two and a half hours after the start; at the calendar's very end, the start itself."""
    try:
        return starts_at + dt.timedelta(hours=2, minutes=30)
    except OverflowError:
        return starts_at


def meeting_uid(council: Council, meeting: Meeting) -> str:
    """The event's UID: the schema and the ids, never the host or port the feed was fetched from.

    A calendar subscribed through two addresses (another port, a proxy, the municipality's own
    domain) must see one event per meeting, and an update must replace the event, not add one.
    """
    return f"{_schema()}-council-{council.pk}-meeting-{meeting.pk}@agora"


def meetings_as_ical(council: Council, meetings: list[Meeting] | None = None) -> bytes:
    """The council's meetings as an iCalendar feed (RFC 5545), times in UTC, cancelled ones marked."""
    calendar = Calendar()
    calendar.add("prodid", "-//Agora Bondgenoten//councils//NL")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", council.name)
    calendar.add("x-wr-timezone", "Europe/Amsterdam")
    for meeting in meetings if meetings is not None else council.meetings.all():
        event = Event()
        event.add("uid", meeting_uid(council, meeting))
        event.add("dtstamp", meeting.updated_at)
        event.add("dtstart", meeting.starts_at)
        event.add("dtend", meeting.ends_at or _default_end(meeting.starts_at))
        event.add("summary", f"{council.name} ({meeting.meal})")
        event.add("location", meeting.place)
        event.add("description", f"Maaltijd: {meeting.meal}")
        event.add(
            "status",
            {
                MeetingStatus.PLANNED: "CONFIRMED",
                MeetingStatus.HELD: "CONFIRMED",
                MeetingStatus.CANCELLED: "CANCELLED",
            }[meeting.status],
        )
        calendar.add_component(event)
    return calendar.to_ical()
