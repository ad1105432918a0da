"""The translation catalogues: complete, consistent, compiled, and in the method's own words.

Source strings are mostly English (translated in ``nl``) and some older model labels Dutch
(translated in ``en``); every string must be translated in exactly one of the frontend's two
catalogues, so that no page mixes languages. The national pages keep their own ``nl`` catalogue
(``platform/agora/national/locale``). The .mo files are committed: ``pip install`` alone gives
translated pages. Checked here, beyond "the .mo matches the .po":

- no entry is fuzzy (gettext leaves a fuzzy guess out of the .mo: English on a Dutch page) and
  none is obsolete;
- every translatable string in the source (templates, Python) has a translation, so a string
  added without refreshing the catalogue (ADR 0010) fails here, not in front of a user;
- a Dutch translation is not the English text copied, and uses the method's words
  (METHOD.md): key figure is *sleutelfiguur*, ally *bondgenoot*, council *overleg*, signal
  *signaal*, notice *melding*, neighbourhood police officer *wijkagent*.
"""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend" / "locale"
NATIONAL = ROOT / "platform" / "agora" / "national" / "locale"
CATALOGUES = {
    "frontend nl": FRONTEND / "nl" / "LC_MESSAGES" / "django.po",
    "frontend en": FRONTEND / "en" / "LC_MESSAGES" / "django.po",
    "national nl": NATIONAL / "nl" / "LC_MESSAGES" / "django.po",
}
# Words that are the same in Dutch and English.
SAME_IN_BOTH = {
    "API",
    "Status",
    "status",
    "SHA-256",
    "Agenda",
    "e-mail",
    "E-mail",
    "Filter",
    "incident",
    "open",
    "crisis",
    "crises",
    "%(counter)s district",
    "District",
    "slug",
    # Dutch uses these words as they are.
    "Code",
    "Schema",
    "Crisis",
    "Open crises",
    "Quorum",
}


@dataclass
class Entry:
    msgid: str
    context: str = ""
    plural: str = ""
    translations: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def translated(self) -> bool:
        return bool(self.translations) and all(self.translations)


def _string(line: str) -> str:
    return ast.literal_eval(line)


def parse(path: Path) -> list[Entry]:
    """A .po file's entries (multi-line strings, contexts, plurals, flags, obsolete entries)."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] | None = None
    flags: set[str] = set()
    obsolete = False
    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        is_obsolete = line.startswith("#~")
        if is_obsolete:
            line = line[2:].strip()
        if not line:
            if current is not None:
                entries.append(current)
            current, target, flags, obsolete = None, None, set(), False
            continue
        if line.startswith("#,"):
            flags |= {f.strip() for f in line[2:].split(",")}
            continue
        if line.startswith("#") and not is_obsolete:
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            text = _string(line)
            assert current is not None and target is not None, f"{path}: stray string {line!r}"
            kind, index = target
            if kind == "msgid":
                current.msgid += text
            elif kind == "msgctxt":
                current.context += text
            elif kind == "msgid_plural":
                current.plural += text
            else:
                current.translations[index] += text
            continue
        if keyword == "msgctxt" or (keyword == "msgid" and (current is None or target[0] != "msgctxt")):
            if current is not None and keyword == "msgctxt":
                entries.append(current)
            current = Entry(msgid="", flags=flags, obsolete=obsolete or is_obsolete)
        obsolete = obsolete or is_obsolete
        if keyword == "msgctxt":
            current.context, target = _string(rest), ("msgctxt", 0)
        elif keyword == "msgid":
            current.msgid, target = _string(rest), ("msgid", 0)
        elif keyword == "msgid_plural":
            current.plural, target = _string(rest), ("msgid_plural", 0)
        elif keyword.startswith("msgstr"):
            current.translations.append(_string(rest))
            target = ("msgstr", len(current.translations) - 1)
    return [entry for entry in entries if entry.msgid]


def live(name: str) -> dict[tuple[str, str], Entry]:
    return {(e.context, e.msgid): e for e in parse(CATALOGUES[name]) if not e.obsolete}


def test_the_parser_reads_plurals_and_multi_line_entries() -> None:
    entries = {e.msgid: e for e in parse(CATALOGUES["frontend nl"])}
    plural = entries["%(n)s key figure shown."]
    assert plural.plural == "%(n)s key figures shown." and len(plural.translations) == 2
    assert all(plural.translations)
    assert any(len(e.msgid) > 100 for e in entries.values())  # long ones, wrapped or not
    assert len(entries) > 400


@pytest.mark.parametrize("name", sorted(CATALOGUES))
def test_no_entry_is_fuzzy_or_obsolete(name) -> None:
    entries = parse(CATALOGUES[name])
    assert [e.msgid for e in entries if "fuzzy" in e.flags] == []
    assert [e.msgid for e in entries if e.obsolete] == []


@pytest.mark.parametrize("name", sorted(CATALOGUES))
def test_the_compiled_catalogue_matches_its_source(name) -> None:
    source = CATALOGUES[name]
    with source.with_suffix(".mo").open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    translated = [e for e in live(name).values() if e.translated]
    assert translated
    stale = []
    for e in translated:
        if e.plural:
            got = [
                catalogue.npgettext(e.context, e.msgid, e.plural, n)
                if e.context
                else catalogue.ngettext(e.msgid, e.plural, n)
                for n in (1, 2)
            ]
            want = e.translations[:2]
        else:
            got = [catalogue.pgettext(e.context, e.msgid) if e.context else catalogue.gettext(e.msgid)]
            want = e.translations[:1]
        if got != want:
            stale.append(e.msgid)
    assert stale == [], "run compilemessages (docs/adr/0010-web-pages.md)"


def test_every_string_is_translated_in_exactly_one_frontend_catalogue() -> None:
    nl, en = live("frontend nl"), live("frontend en")
    assert set(nl) == set(en), "refresh both catalogues together (makemessages -l nl -l en)"
    untranslated = {key[1] for key in nl if not nl[key].translated and not en[key].translated}
    assert untranslated - SAME_IN_BOTH == set()
    twice = {key[1] for key in nl if nl[key].translated and en[key].translated}
    assert twice == set()
    half = {key[1] for key in nl if any(nl[key].translations) and not nl[key].translated}
    assert half == set(), "a plural form is missing"


def test_a_dutch_translation_is_not_the_english_copied() -> None:
    for name in ("frontend nl", "national nl"):
        copied = {e.msgid for e in live(name).values() if e.translated and e.translations[0] == e.msgid}
        assert copied - SAME_IN_BOTH == set(), name


# --- the source: every translatable string has a translation ---------------------------------

GETTEXT = {
    "_",
    "gettext",
    "gettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "ngettext",
    "ngettext_lazy",
    "npgettext",
    "npgettext_lazy",
}
SOURCE_DIRS = ["frontend", "tenants", "platform/agora", "api", "realtime"]
TEMPLATE_CALL = re.compile(r"\b(n?p?gettext)\((u?'(?:[^'\\]|\\.)*'|u?\"(?:[^\"\\]|\\.)*\")")


def _python_strings(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            args = node.args[1:] if name and name.startswith(("pgettext", "npgettext")) else node.args
            if (
                name in GETTEXT
                and args
                and isinstance(args[0], ast.Constant)
                and isinstance(args[0].value, str)
            ):
                found.add(args[0].value)
    return found


def _template_strings(path: Path) -> set[str]:
    from django.utils.translation.template import templatize

    text = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    found = set()
    for function, literal in TEMPLATE_CALL.findall(text):
        if function.startswith("p"):
            continue  # a context comes first; none of our templates use one
        found.add(ast.literal_eval(literal.lstrip("u")))
    return found


def source_strings() -> dict[str, Path]:
    strings: dict[str, Path] = {}
    for folder in SOURCE_DIRS:
        for path in sorted((ROOT / folder).rglob("*")):
            if "node_modules" in path.parts or "migrations" in path.parts or "static" in path.parts:
                continue
            if path.suffix == ".py":
                found = _python_strings(path)
            elif path.suffix in (".html", ".txt") and "templates" in path.parts:
                found = _template_strings(path)
            else:
                continue
            for text in found:
                strings.setdefault(text, path.relative_to(ROOT))
    return strings


def test_every_translatable_string_in_the_source_has_a_translation() -> None:
    strings = source_strings()
    assert "Skip to content" in strings and "key figure" in strings and "Issue a notice" in strings
    translated = {key[1] for name in CATALOGUES for key, e in live(name).items() if e.translated}
    missing = {text: str(path) for text, path in strings.items() if text not in translated | SAME_IN_BOTH}
    assert missing == {}, "refresh and translate the catalogues (ADR 0010)"


# --- the method's words --------------------------------------------------------------------

# An English word in the source, and what its Dutch translation must contain.
TERMS = {
    r"\bkey figures?\b": "sleutelfigu",
    r"\ball(y|ies)\b": "bondgeno",
    r"\bsignals?\b": "signa",
    r"\bnotices?\b": "melding",
    r"\bneighbourhood police officers?\b": "wijkagent",
    r"\bcouncils?\b": "overleg",
}
# Dutch words the method does not use (left: the word to avoid; right: the method's word).
AVOID = {
    "sleutelpersoon": "sleutelfiguur",
    "bondgenotenraad": "bondgenotenoverleg",
    "bondgenote ": "bondgenoot",
    "wijkpolitie": "wijkagent",
    "buurtagent": "wijkagent",
    "notificatie": "melding",
    "signalering": "signaal",
    "community": "gemeenschap",
    "key figure": "sleutelfiguur",
}


def test_dutch_translations_use_the_methods_words() -> None:
    wrong = {}
    for name in ("frontend nl", "national nl"):
        for e in live(name).values():
            if not e.translated:
                continue
            dutch = " ".join(e.translations).lower()
            for pattern, word in TERMS.items():
                if re.search(pattern, e.msgid, re.I) and word not in dutch:
                    wrong[e.msgid] = f"should say {word}…: {e.translations[0]!r}"
            for avoid, instead in AVOID.items():
                if avoid in dutch:
                    wrong[e.msgid] = f"{avoid!r} is not the method's word, use {instead!r}"
    assert wrong == {}
