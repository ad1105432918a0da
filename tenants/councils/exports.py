"""What a council hands out: its contact sheet, as JSON or vCard, and its meetings as iCalendar.

Plain data, no writes but the read log. The contact sheet is the method's "everybody has
everybody's mobile number": every member of one council (allies, both leads and their
deputies) for the other members of that council. Who may see it is decided by
``tenants.councils.access``; every read is logged per person.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypedDict

from icalendar import Calendar, Event

from agora.audit.actions import log_person_reads
from tenants.councils.models import Council, Meeting
from tenants.councils.workflow import MeetingStatus

CONTACT_SHEET_PURPOSE = "council contact sheet"


class Contact(TypedDict):
    seat: str  # "ally" | "municipal_lead" | "municipal_deputy" | "police_lead" | "police_deputy"
    name: str
    mobile: str
    email: str
    organisation: str
    is_you: bool


def contact_sheet(council: Council, *, viewer) -> list[Contact]:
    """Everyone on the council with their mobile number, ordered by name (no ranking), reads logged."""
    contacts: list[Contact] = []
    read: list[Any] = []
    for role, membership in (
        ("municipal_lead", council.municipal_lead),
        ("municipal_deputy", council.municipal_deputy),
        ("police_lead", council.police_lead),
        ("police_deputy", council.police_deputy),
    ):
        if membership is None:
            continue
        user = membership.user
        contacts.append(
            {
                "seat": role,
                "name": user.display_name,
                # The number for this municipality (Membership.mobile), else the user's own.
                "mobile": membership.mobile or user.mobile,
                "email": user.email,
                "organisation": "Politie" if role.startswith("police") else "Gemeente",
                "is_you": user.pk == viewer.pk,
            }
        )
        read.append(user)
    # A seat whose holder is no longer an ally (selection revoked) gives out no number.
    seats = council.members.filter(left_on__isnull=True, key_figure__is_ally=True).select_related(
        "key_figure"
    )
    for seat in seats:
        kf = seat.key_figure
        contacts.append(
            {
                "seat": "ally",
                "name": kf.full_name,
                "mobile": kf.mobile,
                "email": kf.email,
                "organisation": "",
                "is_you": kf.user_id is not None and kf.user_id == viewer.pk,
            }
        )
        read.append(kf)
    log_person_reads(actor=viewer, objs=read, purpose=f"{CONTACT_SHEET_PURPOSE} {council.pk}")
    contacts.sort(key=lambda c: c["name"].casefold())
    return contacts


# --- exports ---


def _vcard_escape(value: str) -> str:
    """RFC 6350 §3.4 text escaping: backslash, comma, semicolon, newline."""
    return (
        value.replace("\\", "\\\\")
        .replace(",", "\\,")
        .replace(";", "\\;")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Fold content lines longer than 75 octets (RFC 6350 §3.2), never inside a UTF-8 sequence."""
    out: list[str] = []
    current = ""
    for char in line:
        limit = 75 if not out else 74  # continuation lines start with a space
        if len((current + char).encode("utf-8")) > limit:
            out.append(current)
            current = char
        else:
            current += char
    out.append(current)
    return "\r\n ".join(out)


def contacts_as_vcard(contacts: list[Contact], *, council_name: str) -> str:
    """vCard 4.0 (RFC 6350) for every contact: no library installed fits, and the format is small."""
    cards: list[str] = []
    for contact in contacts:
        lines = [
            "BEGIN:VCARD",
            "VERSION:4.0",
            f"FN:{_vcard_escape(contact['name'])}",
            f"N:{_vcard_escape(contact['name'])};;;;",
        ]
        if contact["mobile"]:
            lines.append(f"TEL;TYPE=cell;VALUE=uri:tel:{contact['mobile'].replace(' ', '')}")
        if contact["email"]:
            lines.append(f"EMAIL:{_vcard_escape(contact['email'])}")
        if contact["organisation"]:
            lines.append(f"ORG:{_vcard_escape(contact['organisation'])}")
        lines.append(f"NOTE:{_vcard_escape(council_name)}")
        lines.append("END:VCARD")
        cards.append("\r\n".join(_fold(line) for line in lines))
    return "\r\n".join(cards) + ("\r\n" if cards else "")


def _default_end(starts_at: dt.datetime) -> dt.datetime:
    """Two and a half hours after the start; at the calendar's very end, the start itself."""
    try:
        return starts_at + dt.timedelta(hours=2, minutes=30)
    except OverflowError:
        return starts_at


def meetings_as_ical(council: Council, meetings: list[Meeting] | None = None, *, host: str = "") -> bytes:
    """The council's meetings as an iCalendar feed (RFC 5545), times in UTC, cancelled ones marked."""
    calendar = Calendar()
    calendar.add("prodid", "-//Agora Bondgenoten//councils//NL")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", council.name)
    calendar.add("x-wr-timezone", "Europe/Amsterdam")
    domain = host or "agora"
    for meeting in meetings if meetings is not None else council.meetings.all():
        event = Event()
        event.add("uid", f"council-{council.pk}-meeting-{meeting.pk}@{domain}")
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
