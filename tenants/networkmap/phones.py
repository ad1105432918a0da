"""Phone numbers to E.164, Dutch numbers understood (06-12345678, +31 6 1234 5678, 0031612345678).

Uses the maintained ``phonenumbers`` library (libphonenumber's metadata) rather than a
hand-written parser.
"""

from __future__ import annotations

import phonenumbers

from agora.errors import DomainError
from tenants.networkmap.errors import INVALID_PHONE

DEFAULT_REGION = "NL"
# Valid numbers already normalised, by (text, region): a list of 10,000 people parses each number
# twice (the row, then the key figure's own check of the E.164 form) at about a millisecond each.
# An E.164 result maps to itself, so the second parse is a lookup. Bounded; invalid input is
# never cached (it raises every time).
_KNOWN: dict[tuple[str, str], str] = {}
_KNOWN_LIMIT = 50_000


def normalise_phone(raw: str, *, region: str = DEFAULT_REGION) -> str:
    """E.164 form of ``raw`` (empty stays empty); raises ``invalid_phone`` otherwise."""
    text = (raw or "").strip()
    if not text:
        return ""
    known = _KNOWN.get((text, region))
    if known is not None:
        return known
    original = text
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as error:
        raise INVALID_PHONE(fields={"mobile": [raw]}, raw=raw) from error
    if not phonenumbers.is_valid_number(number):
        raise INVALID_PHONE(fields={"mobile": [raw]}, raw=raw)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if len(_KNOWN) >= _KNOWN_LIMIT:
        _KNOWN.clear()
    _KNOWN[(original, region)] = e164
    _KNOWN[(e164, region)] = e164
    return e164


def try_normalise_phone(raw: str, *, region: str = DEFAULT_REGION) -> str | None:
    """Like :func:`normalise_phone`, but None for an invalid number (for matching)."""
    try:
        return normalise_phone(raw, region=region) or None
    except DomainError:  # an unparsable number simply does not match
        return None
