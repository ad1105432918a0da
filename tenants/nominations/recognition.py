"""Recognising people during an import: this list's entries and the map's key figures, indexed.

An entry (or a key figure) is the same person as a row by phone, then e-mail, each only with a
name that agrees at least as well as the comparison's ``AMBIGUOUS_THRESHOLD``; else by exactly
the same normalised name, never against a conflicting phone or e-mail. A shared phone or e-mail
with another name (a family's phone, an organisation's info@ address) is never one person.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from tenants.networkmap.models import KeyFigure
from tenants.nominations.columns import RowData
from tenants.nominations.comparison import AMBIGUOUS_THRESHOLD
from tenants.nominations.models import NominationEntry, Source
from tenants.nominations.names import NameParts, name_similarity

_T = TypeVar("_T")


def name_parts(obj: Any) -> NameParts:
    return NameParts(first_name=obj.first_name, infix=obj.infix, last_name=obj.last_name)


def _conflicts(a_mobile: str, a_email: str, b_mobile: str, b_email: str) -> bool:
    """Both sides know a phone (or e-mail) and they differ: not the same person by name alone."""
    return bool(
        (a_mobile and b_mobile and a_mobile != b_mobile) or (a_email and b_email and a_email != b_email)
    )


class EntryIndex:
    """This list's entries by phone, e-mail and name key (loaded once per import)."""

    def __init__(self, source: Source) -> None:
        self.by_mobile: dict[str, list[NominationEntry]] = defaultdict(list)
        self.by_email: dict[str, list[NominationEntry]] = defaultdict(list)
        self.by_name: dict[str, list[NominationEntry]] = defaultdict(list)
        existing = list(NominationEntry.objects.filter(source=source.value).prefetch_related("communities"))
        self.existing_ids = {entry.pk for entry in existing}
        for entry in existing:
            self.add(entry)

    def add(self, entry: NominationEntry) -> None:
        for index, value in ((self.by_mobile, entry.mobile), (self.by_email, entry.email.lower())):
            if value and entry not in index[value]:
                index[value].append(entry)
        bucket = self.by_name[entry.name_key]
        if entry not in bucket:
            bucket.append(entry)

    def find(self, data: RowData) -> NominationEntry | None:
        """The entry with this phone, else this e-mail (the name agreeing), else this exact name."""
        for index, value in ((self.by_mobile, data.mobile), (self.by_email, data.email)):
            if value and index.get(value):
                found = _same_person(data.names, index[value], name_parts)
                if found is not None:
                    return found
        for entry in self.by_name.get(data.names.key(), []):
            if not _conflicts(entry.mobile, entry.email.lower(), data.mobile, data.email):
                return entry
        return None


def _same_person(
    names: NameParts, candidates: Iterable[_T], names_of: Callable[[_T], NameParts]
) -> _T | None:
    """The candidate (sharing a phone or e-mail) whose name also agrees, best score first.

    A shared phone or e-mail alone does not make two people one: a family shares a landline or a
    mobile, an organisation an info@ address. Only a name that agrees at least as well as the
    comparison's ambiguity threshold makes it a match; otherwise the row is a different person
    (and the comparison shows the pair as ambiguous, "same" phone or e-mail, for staff to decide).
    """
    scored = [
        (name_similarity(names, names_of(candidate)), n, candidate) for n, candidate in enumerate(candidates)
    ]
    best = max(scored, key=lambda item: (item[0], -item[1]), default=None)
    if best is None or best[0] < AMBIGUOUS_THRESHOLD:
        return None
    return best[2]


class KeyFigureIndex:
    """Key figures on the map by phone, e-mail and (for this list's flag) name key."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.by_mobile: dict[str, list[int]] = defaultdict(list)
        self.by_email: dict[str, list[int]] = defaultdict(list)
        self.by_name: dict[str, list[int]] = defaultdict(list)
        self.names: dict[int, NameParts] = {}
        self.contacts: dict[int, tuple[str, str]] = {}
        self.with_entry = set(
            NominationEntry.objects.filter(source=source.value, key_figure__isnull=False).values_list(
                "key_figure_id", flat=True
            )
        )
        flag = source.flag_field
        for pk, first, infix, last, mobile, email, flagged in KeyFigure.objects.values_list(
            "pk", "first_name", "infix", "last_name", "mobile", "email", flag
        ):
            self._add(pk, NameParts(first, infix, last), mobile, email.lower(), flagged)

    def _add(self, pk: int, names: NameParts, mobile: str, email: str, flagged: bool) -> None:
        for index, value in ((self.by_mobile, mobile), (self.by_email, email)):
            if value and pk not in index[value]:
                index[value].append(pk)
        if flagged:
            self.by_name[names.key()].append(pk)
        self.names[pk] = names
        self.contacts[pk] = (mobile, email)

    def add(self, figure: KeyFigure) -> None:
        self._add(figure.pk, name_parts(figure), figure.mobile, figure.email.lower(), True)
        self.with_entry.add(figure.pk)

    def find(self, data: RowData) -> int | None:
        """A strong match (phone, else e-mail, *and* a name that agrees), else this list's own
        key figure by exact name, else None.
        """
        for index, value in ((self.by_mobile, data.mobile), (self.by_email, data.email)):
            if value and index.get(value):
                found = _same_person(data.names, index[value], self.names.__getitem__)
                if found is not None:
                    return found
        for pk in self.by_name.get(data.names.key(), []):
            mobile, email = self.contacts[pk]
            if pk not in self.with_entry and not _conflicts(mobile, email, data.mobile, data.email):
                return pk
        return None
