"""Phone numbers to E.164, Dutch numbers understood (06-12345678, +31 6 1234 5678, 0031612345678).

Uses the maintained ``phonenumbers`` library (libphonenumber's metadata) rather than a
hand-written parser.
"""

from __future__ import annotations

import phonenumbers

from agora.errors import DomainError
from tenants.networkmap.errors import INVALID_PHONE

DEFAULT_REGION = "NL"


def normalise_phone(raw: str, *, region: str = DEFAULT_REGION) -> str:
    """E.164 form of ``raw`` (empty stays empty); raises ``invalid_phone`` otherwise."""
    text = (raw or "").strip()
    if not text:
        return ""
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as error:
        raise INVALID_PHONE(fields={"mobile": [raw]}, raw=raw) from error
    if not phonenumbers.is_valid_number(number):
        raise INVALID_PHONE(fields={"mobile": [raw]}, raw=raw)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def try_normalise_phone(raw: str, *, region: str = DEFAULT_REGION) -> str | None:
    """Like :func:`normalise_phone`, but None for an invalid number (for matching)."""
    try:
        return normalise_phone(raw, region=region) or None
    except DomainError:  # an unparsable number simply does not match
        return None
