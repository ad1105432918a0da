"""Dutch personal names: splitting them into parts and telling how alike two names are.

Lists arrive as "Jan van der Berg", "J. v.d. Berg", "Berg, Jan van der" or with first and last
name swapped between the columns. Matching them needs three things that a plain string
comparison misses: diacritics ("Özdemir" is "Ozdemir"), Dutch infixes (tussenvoegsels: "van
der" may be written "v.d.", and sorts after the surname in "Berg, van der"), and initials
("J." for "Jan"). The similarity itself comes from rapidfuzz.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz

from agora.names import normalise_name

# Words that make up a Dutch (or Flemish/French/German) infix. "el"/"al" are deliberately not
# here: in Moroccan and Arabic names they are part of the surname ("El Amrani").
INFIX_WORDS = frozenset(
    {
        "van", "de", "der", "den", "het", "t", "'t", "ter", "ten", "te", "in", "op", "aan", "bij",
        "uit", "voor", "onder", "over", "d'", "da", "di", "del", "della", "do", "dos", "du", "la",
        "le", "l'", "les", "von", "zu", "vd", "v.d.", "v/d", "v.", "v", "d.", "'s", "s",
    }
)  # fmt: skip
_SPLIT = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower case without diacritics or punctuation, single spaces: the form names are compared in."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    cleaned = re.sub(r"[^\w\s]", " ", stripped.casefold())
    return " ".join(cleaned.replace("_", " ").split())


def clean(text: str) -> str:
    """Trimmed, inner whitespace collapsed, Unicode composed (NFC), meaningless invisible characters
    removed: the form names are stored in (:func:`agora.names.normalise_name`)."""
    return normalise_name(text or "")


def _is_infix_token(token: str) -> bool:
    return token.casefold() in INFIX_WORDS


def infix_key(infix: str) -> str:
    """The initials of an infix: "van der", "v.d." and "vd" all give "vd"; "de" gives "d"."""
    letters = []
    for word in _SPLIT.split(infix.strip()):
        word = word.casefold()
        if not word:
            continue
        if word in {"vd", "v.d.", "v/d"}:
            letters.append("vd")
        elif word in {"'t", "t", "het"}:
            letters.append("t")
        elif word in {"'s", "s"}:
            letters.append("s")
        else:
            letters.append(fold(word)[:1])
    return "".join(letters)


@dataclass(frozen=True)
class NameParts:
    """A name as first name(s), infix and surname (the surname without its infix)."""

    first_name: str
    infix: str
    last_name: str

    @property
    def given(self) -> str:
        return fold(self.first_name)

    @property
    def core(self) -> str:
        return fold(self.last_name)

    def key(self) -> str:
        """Recognises the same name written the same way modulo case, diacritics and infix spelling."""
        return f"{self.given}|{infix_key(self.infix)}|{self.core}"

    def canonical(self) -> NameParts:
        """The infix moved out of the surname ("", "van der Berg" → "van der", "Berg")."""
        infix, last_name = split_surname(self.last_name, self.infix)
        return NameParts(first_name=clean(self.first_name), infix=infix, last_name=last_name)

    def swapped(self) -> NameParts:
        return NameParts(first_name=self.last_name, infix=self.infix, last_name=self.first_name)


def split_surname(last_name: str, infix: str = "") -> tuple[str, str]:
    """(infix, surname) from a last-name cell that may carry its infix.

    "van der Berg" → ("van der", "Berg"); "Berg, van der" → ("van der", "Berg"); an explicit
    infix cell wins.
    """
    last_name, infix = clean(last_name), clean(infix)
    if "," in last_name:
        surname, _, trailing = (part.strip() for part in last_name.partition(","))
        tokens = trailing.split()
        if tokens and all(_is_infix_token(t) for t in tokens):
            return (infix or trailing, surname)
    tokens = last_name.split()
    leading: list[str] = []
    while len(tokens) > 1 and _is_infix_token(tokens[0]):
        leading.append(tokens.pop(0))
    if leading:
        return (infix or " ".join(leading), " ".join(tokens))
    return (infix, last_name)


def parse_full_name(text: str) -> NameParts:
    """Split a one-cell name. "Jan van der Berg", "Berg, Jan van der", "J. v.d. Berg", "Jansen"."""
    text = clean(text)
    if "," in text:
        surname, _, rest = (part.strip() for part in text.partition(","))
        tokens = rest.split()
        if tokens and all(_is_infix_token(t) for t in tokens):  # "Berg, van der": no first name
            return NameParts(first_name="", infix=" ".join(tokens), last_name=surname)
        trailing: list[str] = []
        while len(tokens) > 1 and _is_infix_token(tokens[-1]):
            trailing.insert(0, tokens.pop())
        infix, surname = split_surname(surname, " ".join(trailing))
        return NameParts(first_name=" ".join(tokens), infix=infix, last_name=surname)
    tokens = text.split()
    if len(tokens) < 2:
        return NameParts(first_name="", infix="", last_name=text)
    # The infix starts at the first infix word after the first name(s) and runs on.
    for index in range(1, len(tokens) - 1):
        if _is_infix_token(tokens[index]):
            end = index
            while end < len(tokens) - 1 and _is_infix_token(tokens[end]):
                end += 1
            return NameParts(
                first_name=" ".join(tokens[:index]),
                infix=" ".join(tokens[index:end]),
                last_name=" ".join(tokens[end:]),
            )
    return NameParts(first_name=" ".join(tokens[:-1]), infix="", last_name=tokens[-1])


def _given_similarity(a: str, b: str) -> float:
    """First names, allowing initials: "j" fits "jan"; "j w" fits "jan willem"."""
    if not a or not b:
        return 60.0  # unknown: neither for nor against
    tokens_a, tokens_b = a.split(), b.split()
    if all(len(t) == 1 for t in tokens_a) or all(len(t) == 1 for t in tokens_b):
        initials_a = "".join(t[0] for t in tokens_a)
        initials_b = "".join(t[0] for t in tokens_b)
        shorter, longer = sorted((initials_a, initials_b), key=len)
        return 90.0 if longer.startswith(shorter) else 0.0
    return float(fuzz.ratio(a, b))


def _structured(a: NameParts, b: NameParts) -> float:
    surname = float(fuzz.ratio(a.core, b.core))
    given = _given_similarity(a.given, b.given)
    score = 0.6 * surname + 0.4 * given
    key_a, key_b = infix_key(a.infix), infix_key(b.infix)
    if key_a and key_b and key_a != key_b:
        score -= 5  # "de Vries" and "van Vries" are not the same family name
    return score


SWAP_PENALTY = 2.0


def name_similarity(a: NameParts, b: NameParts) -> float:
    """0 to 100: how likely the two names are the same person's, first/last possibly swapped."""
    a, b = a.canonical(), b.canonical()
    straight = _structured(a, b)
    swapped = _structured(a, b.swapped()) - SWAP_PENALTY
    return round(max(0.0, straight, swapped), 1)


def blocking_key(parts: NameParts) -> str:
    """All name words without infixes, for rapidfuzz's fast pre-selection (order-insensitive)."""
    words = [w for w in f"{parts.given} {parts.core}".split() if w not in INFIX_WORDS]
    return " ".join(sorted(words))
