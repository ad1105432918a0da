"""The compiled catalogues: shipped, up to date with their .po files, every string translated once.

Source strings are mostly English (translated in ``nl``) and some older model labels Dutch
(translated in ``en``); every string must be translated in one of the two catalogues, so that no
page mixes languages. The .mo files are committed: ``pip install`` alone gives translated pages.
"""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[2] / "frontend" / "locale"
# Words that are the same in Dutch and English.
SAME_IN_BOTH = {"API", "Status", "status", "SHA-256", "Agenda", "e-mail", "Filter"}
ENTRY = re.compile(r'^msgid "(.*)"\nmsgstr "(.*)"$', re.M)


def entries(language: str) -> dict[str, str]:
    text = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text()
    return {msgid: msgstr for msgid, msgstr in ENTRY.findall(text) if msgid}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_compiled_catalogue_matches_its_source(language) -> None:
    compiled = LOCALE / language / "LC_MESSAGES" / "django.mo"
    with compiled.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    translated = {k: v for k, v in entries(language).items() if v}
    assert translated
    stale = {
        k for k, v in translated.items() if catalogue.gettext(k.replace('\\"', '"')) != v.replace('\\"', '"')
    }
    assert stale == set(), "run compilemessages (docs/adr/0010-web-pages.md)"


def test_every_string_is_translated_in_one_catalogue() -> None:
    nl, en = entries("nl"), entries("en")
    assert set(nl) == set(en)
    untranslated = {msgid for msgid in nl if not nl[msgid] and not en[msgid]} - SAME_IN_BOTH
    assert untranslated == set()
    twice = {msgid for msgid in nl if nl[msgid] and en[msgid]}
    assert twice == set()
