"""Comparing the municipality's list with the police's list (step 2 of the method).

People with the same phone number or e-mail address (and a name that agrees) are linked to one
key figure already at import; the comparison reads the result per key figure: on both lists,
only on the municipality's, only on the police's. Being on a list means an imported entry of
that list *or* the key figure's ``nominated_by_*`` flag (set by hand on the map), so the
comparison and the map agree (:func:`list_memberships`). On top of that it proposes
**ambiguous candidates**: a key figure only on one list and one only on the other whose names
look alike (diacritics, Dutch infixes, initials and swapped first/last names taken into
account, see ``names``), or who share a phone/e-mail but were kept apart. Candidates are never
merged here: staff confirm (``merging.do_confirm_match``) or reject (``merging.do_reject_match``)
each one, and a rejected pair is not proposed again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Q
from rapidfuzz import fuzz, process

from tenants.networkmap.models import KeyFigure
from tenants.nominations.models import NominationEntry, RejectedMatch, Source
from tenants.nominations.names import NameParts, blocking_key, name_similarity

# A name score from here on makes a pair a candidate (see tests for where real pairs land:
# "Jan van der Berg"/"J. v.d. Berg" 96, swapped names 98, "Jan"/"Piet de Vries" 60).
AMBIGUOUS_THRESHOLD = 85.0
# rapidfuzz pre-selection, deliberately looser than the threshold (it only limits the pairs scored).
_BLOCK_CUTOFF_ALL_WORDS = 60
_BLOCK_CUTOFF_SURNAME = 75


def _person(figure: KeyFigure, sources: set[str]) -> dict[str, Any]:
    return {
        "key_figure_id": figure.pk,
        "name": figure.full_name,
        "first_name": figure.first_name,
        "infix": figure.infix,
        "last_name": figure.last_name,
        "mobile": figure.mobile,
        "email": figure.email,
        "neighbourhood": figure.neighbourhood.name if figure.neighbourhood_id else None,
        "lists": sorted(sources),
    }


def _names(figure: KeyFigure) -> NameParts:
    return NameParts(first_name=figure.first_name, infix=figure.infix, last_name=figure.last_name)


def _contact_state(a: str, b: str) -> str:
    """'same', 'different' or 'missing' (one side or both unknown)."""
    if not a or not b:
        return "missing"
    return "same" if a.lower() == b.lower() else "different"


def _candidate_pairs(left: list[KeyFigure], right: list[KeyFigure]) -> set[tuple[int, int]]:
    """Index pairs worth scoring: similar words (any order), similar surname, or shared contact."""
    pairs: set[tuple[int, int]] = set()
    if not left or not right:
        return pairs
    left_names = [_names(f).canonical() for f in left]
    right_names = [_names(f).canonical() for f in right]
    for keys_left, keys_right, scorer, cutoff in (
        (
            [blocking_key(n) for n in left_names],
            [blocking_key(n) for n in right_names],
            fuzz.token_sort_ratio,
            _BLOCK_CUTOFF_ALL_WORDS,
        ),
        ([n.core for n in left_names], [n.core for n in right_names], fuzz.ratio, _BLOCK_CUTOFF_SURNAME),
    ):
        for i, key in enumerate(keys_left):
            for _choice, _score, j in process.extract(
                key, keys_right, scorer=scorer, score_cutoff=cutoff, limit=None
            ):
                pairs.add((i, j))
    by_contact: dict[str, list[int]] = defaultdict(list)
    for j, figure in enumerate(right):
        for value in (figure.mobile, figure.email.lower()):
            if value:
                by_contact[value].append(j)
    for i, figure in enumerate(left):
        for value in (figure.mobile, figure.email.lower()):
            for j in by_contact.get(value, []) if value else []:
                pairs.add((i, j))
    return pairs


def list_memberships(key_figure_ids: Iterable[int] | None = None) -> dict[int, set[str]]:
    """Which lists each key figure is on: an imported entry of the list, or the list's flag.

    The map, its filters and the admin read ``KeyFigure.nominated_by_*``; those flags are also
    set by hand (API, admin) for people who never came in through an import. Both count as being
    on the list, so the comparison and the map give the same answer to "who is on which list".
    """
    sources: dict[int, set[str]] = defaultdict(set)
    entries = NominationEntry.objects.filter(key_figure__isnull=False)
    flagged = KeyFigure.objects.filter(Q(nominated_by_municipality=True) | Q(nominated_by_police=True))
    if key_figure_ids is not None:
        ids = list(key_figure_ids)
        entries, flagged = entries.filter(key_figure_id__in=ids), flagged.filter(pk__in=ids)
    for key_figure_id, source in entries.values_list("key_figure_id", "source"):
        sources[key_figure_id].add(source)
    for pk, by_municipality, by_police in flagged.values_list(
        "pk", "nominated_by_municipality", "nominated_by_police"
    ):
        if by_municipality:
            sources[pk].add(Source.MUNICIPALITY.value)
        if by_police:
            sources[pk].add(Source.POLICE.value)
    return sources


def compare_lists() -> dict[str, Any]:
    """The comparison of the two lists in the current municipality, as plain data.

    ``{"both": [...], "only_municipality": [...], "only_police": [...], "ambiguous": [...],
    "counts": {...}}``; people are key figures (``key_figure_id``, name, contact details);
    an ambiguous item is ``{"municipality": person, "police": person, "score", "phone",
    "email"}`` with ``phone``/``email`` one of same/different/missing. A person in an ambiguous
    pair is still listed under "only_…" until the match is confirmed.
    """
    sources = list_memberships()
    figures = {
        f.pk: f for f in KeyFigure.objects.filter(pk__in=sources.keys()).select_related("neighbourhood")
    }
    both, only_municipality, only_police = [], [], []
    for pk, figure in sorted(figures.items(), key=lambda item: (item[1].last_name.casefold(), item[0])):
        on = sources[pk]
        if on >= {Source.MUNICIPALITY.value, Source.POLICE.value}:
            both.append(figure)
        elif Source.MUNICIPALITY.value in on:
            only_municipality.append(figure)
        else:
            only_police.append(figure)

    rejected = set(RejectedMatch.objects.values_list("municipality_key_figure_id", "police_key_figure_id"))
    ambiguous = []
    for i, j in _candidate_pairs(only_municipality, only_police):
        left, right = only_municipality[i], only_police[j]
        if (left.pk, right.pk) in rejected:
            continue
        score = name_similarity(_names(left), _names(right))
        phone = _contact_state(left.mobile, right.mobile)
        email = _contact_state(left.email, right.email)
        if score < AMBIGUOUS_THRESHOLD and "same" not in (phone, email):
            continue
        ambiguous.append(
            {
                "municipality": _person(left, sources[left.pk]),
                "police": _person(right, sources[right.pk]),
                "score": score,
                "phone": phone,
                "email": email,
            }
        )
    ambiguous.sort(key=lambda item: (-item["score"], item["municipality"]["key_figure_id"]))
    return {
        "both": [_person(f, sources[f.pk]) for f in both],
        "only_municipality": [_person(f, sources[f.pk]) for f in only_municipality],
        "only_police": [_person(f, sources[f.pk]) for f in only_police],
        "ambiguous": ambiguous,
        "counts": {
            "both": len(both),
            "only_municipality": len(only_municipality),
            "only_police": len(only_police),
            "ambiguous": len(ambiguous),
        },
    }


def key_figures_in(comparison: dict[str, Any]) -> list[int]:
    """The key figure ids a comparison shows (to log the person-record reads of whoever views it)."""
    groups = ("both", "only_municipality", "only_police")
    ids = {person["key_figure_id"] for group in groups for person in comparison[group]}
    for item in comparison["ambiguous"]:
        ids.update((item["municipality"]["key_figure_id"], item["police"]["key_figure_id"]))
    return sorted(ids)
