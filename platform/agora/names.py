"""Names of people (and the short texts stored beside them) as they may be stored: one check.

Names reach the platform through the API, the admin and imported lists, and leave it in vCards,
spreadsheets, crisis-room screens and printed contact sheets. Characters that a reader cannot see
turn a name into something other than what it shows: a bidi override (U+202E) makes "Jan
Mohamed" display reversed or hides a suffix; a lone carriage return breaks a vCard line; a
zero-width space makes "Jan" and "Ja\u200bn" two people to the duplicate check.

The decision (docs/adr/0019-hostile-input.md):

- **normalised** (silently, since they arrive by copy-and-paste and no user could see or fix
  them): Unicode composed (NFC); any run of whitespace, tabs, CR and LF included, becomes one
  space and the ends are trimmed; invisible characters that carry no meaning in a name are
  removed (zero-width space, word joiner, byte order mark, soft hyphen, Mongolian vowel
  separator); zero-width (non-)joiners are kept between two letters, where Persian and Indic
  names need them, and removed elsewhere;
- **refused** with ``name_unsafe_characters`` (400): bidi controls (U+061C, U+200E/F,
  U+202A to U+202E, U+2066 to U+2069) and every other control, format, surrogate or private-use
  character. Those are deliberate; the person who typed them must see what would be stored.
"""

from __future__ import annotations

import unicodedata

from agora.errors import error_code

NAME_UNSAFE = error_code(
    "name_unsafe_characters",
    en="{field} contains characters that are not allowed in a name: {characters}.",
    nl="{field} bevat tekens die niet in een naam mogen: {characters}.",
)

BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
REMOVED_INVISIBLES = frozenset("\u200b\u2060\ufeff\u00ad\u180e")
JOINERS = frozenset("\u200c\u200d")
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co"})


def _letter(char: str) -> bool:
    return unicodedata.category(char)[0] in "LM"


def normalise_name(text: object) -> str:
    """The stored form: NFC, whitespace collapsed, meaningless invisibles removed (see above)."""
    composed = unicodedata.normalize("NFC", "" if text is None else str(text))
    kept = [char for char in composed if char not in REMOVED_INVISIBLES]
    out: list[str] = []
    for index, char in enumerate(kept):
        if char in JOINERS:
            before = kept[index - 1] if index else ""
            after = kept[index + 1] if index + 1 < len(kept) else ""
            if not (before and after and _letter(before) and _letter(after)):
                continue
        out.append(char)
    return " ".join("".join(out).split())


def unsafe_characters(text: str) -> list[str]:
    """The refused characters in ``text`` (after normalising), as ``U+XXXX`` codes, in order."""
    found: list[str] = []
    for char in text:
        if char in JOINERS:
            continue  # normalise_name kept it between letters
        if char in BIDI_CONTROLS or unicodedata.category(char) in _REFUSED_CATEGORIES:
            code = f"U+{ord(char):04X}"
            if code not in found:
                found.append(code)
    return found


def clean_name(text: object, field: str) -> str:
    """``text`` normalised, or ``name_unsafe_characters`` naming ``field`` and the characters."""
    cleaned = normalise_name(text)
    if found := unsafe_characters(cleaned):
        raise NAME_UNSAFE(fields={field: found}, field=field, characters=", ".join(found))
    return cleaned
