"""The contact sheet as vCard 4.0 (RFC 6350), as a phone's contacts app reads it.

Written by hand: the format is small, and no maintained vCard 4.0 writer is among our
dependencies. The tests read every card back with an independent parser (vobject).

What phones need, and the old export got wrong:
- ``N`` structured: family name *with* its Dutch infix ("van der Linden"), given name. Phones show
  "Marieke van der Linden" and, through ``SORT-AS``, sort her under L as Dutch address books do.
- ``ROLE`` says which side the person is on (Gemeente, Politie, Bondgenoot), ``ORG`` the
  municipality, ``TEL`` the mobile number as a ``tel:`` URI (tap to call).
- ``UID`` is stable across hosts and ports (the municipality's schema and the person's record), so
  importing an updated sheet updates the cards instead of doubling them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypedDict

from tenants.nominations.names import clean, split_surname

SIDE_LABELS: dict[str, str] = {"municipal": "Gemeente", "police": "Politie", "ally": "Bondgenoot"}


class Card(TypedDict):
    uid: str  # stable: "<schema>-membership-<id>" or "<schema>-key-figure-<id>"
    given_name: str
    infix: str
    surname: str
    side: str  # "municipal" | "police" | "ally"
    seat_label: str  # e.g. "Trekker gemeente", "Plaatsvervanger politie", "Bondgenoot"
    mobile: str
    email: str
    organisation: str


def structured_name(first_name: str, last_name: str, infix: str = "") -> tuple[str, str, str]:
    """(given name, infix, surname) from stored name fields; the infix may sit in ``last_name``."""
    found_infix, surname = split_surname(last_name, infix)
    return clean(first_name), found_infix, surname


def display_name(card: Card) -> str:
    return " ".join(part for part in (card["given_name"], card["infix"], card["surname"]) if part)


def family_name(card: Card) -> str:
    """The family name with its infix, as it is written after the given name: "van der Linden"."""
    return " ".join(part for part in (card["infix"], card["surname"]) if part)


def _escape(value: str) -> str:
    """RFC 6350 §3.4 text escaping: backslash, comma, semicolon, line breaks.

    Every line break becomes ``\\n``: CRLF, LF and a lone CR alike (a stored name with a lone CR
    once ended the content line there). Other control characters cannot appear in a content line
    (RFC 6350 §3.3) and are dropped; names are checked on the way in (agora.names), this guards
    older data.
    """
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(
        char for char in text if char == "\n" or char == "\t" or (ord(char) >= 32 and char != "\x7f")
    )
    return text.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;").replace("\n", "\\n")


def _quote_param(value: str) -> str:
    """A parameter value (RFC 6350 §3.3): quoted, without the characters a quoted value cannot hold."""
    return '"' + value.replace('"', "'").replace("\r", " ").replace("\n", " ") + '"'


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


def card_lines(card: Card, *, council_name: str) -> list[str]:
    sort_as = ",".join(part for part in (card["surname"], card["given_name"]) if part)
    lines = [
        "BEGIN:VCARD",
        "VERSION:4.0",
        f"UID:urn:agora:{_escape(card['uid'])}",
        "KIND:individual",
        f"FN:{_escape(display_name(card))}",
        f"N;SORT-AS={_quote_param(sort_as)}:{_escape(family_name(card))};{_escape(card['given_name'])};;;",
        f"ROLE:{_escape(SIDE_LABELS[card['side']])}",
        f"TITLE:{_escape(card['seat_label'])}",
    ]
    if card["organisation"]:
        lines.append(f"ORG:{_escape(card['organisation'])}")
    if card["mobile"]:
        lines.append(f"TEL;TYPE=cell;VALUE=uri:tel:{card['mobile'].replace(' ', '')}")
    if card["email"]:
        lines.append(f"EMAIL:{_escape(card['email'])}")
    lines.append(f"NOTE:{_escape(council_name)}")
    lines.append("END:VCARD")
    return lines


def as_vcard(cards: Iterable[Card], *, council_name: str) -> str:
    """Every card, CRLF line endings and folded lines as RFC 6350 requires."""
    out = ["\r\n".join(_fold(line) for line in card_lines(card, council_name=council_name)) for card in cards]
    return "\r\n".join(out) + ("\r\n" if out else "")
