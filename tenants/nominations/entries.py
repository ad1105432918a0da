"""Writing a list's entries and feeding the network map from them, row by row.

* **Feeding the map.** A new entry links to the key figure with the same phone or e-mail *and*
  a name that agrees (a *strong* match; across lists this sets the other list's flag), else to a
  key figure already flagged for this list with exactly the same name, else it creates a key
  figure with this list's flag. Key figures are written through the network map's own actions,
  so its rules, its audit rows and its check of who acts apply to imported people too.
* **Three-way updates.** When a later import changes an entry, each changed value is applied to
  the key figure only where the key figure still holds the entry's old value (or nothing): an
  edit made on the map, or data from the other list, is never overwritten by a list.
* **Allies keep to the hard rules.** A row that would make an ally a professional representative
  (or otherwise break ``tenants.selection.rules.check_ally_invariants``) fails with a row error.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from agora.errors import DomainError
from tenants.networkmap.actions import do_create_key_figure, do_update_key_figure
from tenants.networkmap.models import Community, KeyFigure, Neighbourhood
from tenants.nominations.columns import RowData
from tenants.nominations.models import ImportRun, NominationEntry, Source
from tenants.nominations.names import NameParts
from tenants.nominations.recognition import KeyFigureIndex, name_parts
from tenants.nominations.report import ImportReport
from tenants.selection.rules import check_ally_invariants

# The values an entry holds and passes on to its key figure (communities apart).
ENTRY_FIELDS = (
    "first_name",
    "infix",
    "last_name",
    "mobile",
    "email",
    "neighbourhood_id",
    "represents",
    "influence_notes",
    "is_professional_representative",
)
# Fields whose column may be absent from a file (absent = "the file says nothing", not "empty").
_OPTIONAL_COLUMN_FIELDS = {
    "mobile": "mobile",
    "email": "email",
    "neighbourhood_id": "neighbourhood",
    "represents": "represents",
    "influence_notes": "influence_notes",
    "is_professional_representative": "is_professional_representative",
}


@dataclass
class ImportContext:
    """What every row of one import needs: the run, the indexes and the map's objects."""

    source: Source
    run: ImportRun
    report: ImportReport
    acting_user: Any
    figures: KeyFigureIndex
    neighbourhoods: dict[int, Neighbourhood]
    communities: dict[int, Community]


def _entry_values(entry: NominationEntry) -> dict[str, Any]:
    values = {name: getattr(entry, name) for name in ENTRY_FIELDS}
    values["community_ids"] = frozenset(c.pk for c in entry.communities.all()) if entry.pk else frozenset()
    return values


def _row_values(data: RowData, old: dict[str, Any] | None) -> dict[str, Any]:
    """The entry's values after this row: fields whose column is absent keep their old value."""
    values: dict[str, Any] = {
        "first_name": data.names.first_name,
        "infix": data.names.infix,
        "last_name": data.names.last_name,
        "mobile": data.mobile,
        "email": data.email,
        "neighbourhood_id": data.neighbourhood_id,
        "represents": data.represents,
        "influence_notes": data.influence_notes,
        "is_professional_representative": data.is_professional_representative,
        "community_ids": data.community_ids,
    }
    if old is not None:
        for name, column in _OPTIONAL_COLUMN_FIELDS.items():
            if column not in data.present:
                values[name] = old[name]
        if "communities" not in data.present:
            values["community_ids"] = old["community_ids"]
    return values


def _save_entry(entry: NominationEntry, values: dict[str, Any], data: RowData, run: ImportRun) -> None:
    for name in ENTRY_FIELDS:
        setattr(entry, name, values[name])
    entry.name_key = name_parts(entry).key()
    entry.raw_row = data.raw
    entry.line_number = data.line
    entry.last_changed_run = run
    entry.save()
    entry.communities.set(values["community_ids"])
    # Refresh the prefetch cache so later comparisons in this import see the new set.
    entry._prefetched_objects_cache = {}


def create_entry(data: RowData, context: ImportContext) -> NominationEntry:
    entry, values = new_entry(data, context)
    _save_entry(entry, values, data, context.run)
    _link_new_entry(entry, values, context)
    return entry


def _map_value(context: ImportContext, name: str, value: Any) -> tuple[str, Any]:
    """An entry value as the network map's actions take it (objects, not ids)."""
    if name == "neighbourhood_id":
        return "neighbourhood", context.neighbourhoods.get(value) if value else None
    return name, value


def _communities(context: ImportContext, ids: Iterable[int]) -> list[Community]:
    return [context.communities[pk] for pk in sorted(ids) if pk in context.communities]


# Which column a broken ally rule points at (the rule's code → the entry field that broke it).
_ALLY_RULE_FIELDS = {"professional_representative": "is_professional_representative"}


def _check_ally_rules(figure: KeyFigure, changes: dict[str, Any]) -> None:
    """An ally (``is_ally``) keeps to the hard rules of the method whatever a list says.

    The changes are tried on a copy of the key figure and checked with the selection's own rule
    (``tenants.selection.rules.check_ally_invariants``): a list marking an ally as a professional
    representative fails its row (the ally is left as is), it does not quietly break the rule.
    """
    if not figure.is_ally:
        return
    preview = copy.copy(figure)
    for name, value in changes.items():
        if name != "communities":
            setattr(preview, name, value)
    try:
        check_ally_invariants(preview)
    except DomainError as error:
        field_name = _ALLY_RULE_FIELDS.get(error.code)
        if field_name and not error.fields:
            error.fields = {field_name: [error.code]}
        raise


def new_figure_data(values: dict[str, Any], context: ImportContext) -> dict[str, Any]:
    """The network map's input for a new key figure from an entry's values, flagged for this list."""
    data = dict(_map_value(context, name, values[name]) for name in ENTRY_FIELDS)
    data["communities"] = _communities(context, values["community_ids"])
    data[context.source.flag_field] = True
    return data


def new_entry(data: RowData, context: ImportContext) -> tuple[NominationEntry, dict[str, Any]]:
    """An unsaved entry for a row not yet on this list, and its values (communities included)."""
    values = _row_values(data, None)
    entry = NominationEntry(source=context.source.value, first_run=context.run)
    for name in ENTRY_FIELDS:
        setattr(entry, name, values[name])
    entry.name_key = name_parts(entry).key()
    entry.raw_row = data.raw
    entry.line_number = data.line
    entry.last_changed_run = context.run
    return entry, values


def is_unchanged(entry: NominationEntry, data: RowData) -> bool:
    """The row says what the entry already holds and the entry still feeds a key figure."""
    old = _entry_values(entry)
    return entry.key_figure_id is not None and _row_values(data, old) == old


def _link_new_entry(entry: NominationEntry, values: dict[str, Any], context: ImportContext) -> None:
    """Attach a new entry to the map: a strong match is updated and flagged, else a new key figure.

    Key figures are written through the network map's own actions, so its rules and its audit
    rows apply to imported people exactly as to people entered by hand.
    """
    source, figures = context.source, context.figures
    pk = figures.find(match_view(values))
    if pk is None:
        figure = do_create_key_figure(new_figure_data(values, context), acting_user=context.acting_user)
        figures.add(figure)
        context.report.key_figures_created += 1
    else:
        figure = KeyFigure.objects.get(pk=pk)
        same_list = getattr(figure, source.flag_field)
        changes: dict[str, Any] = {}
        for name in ENTRY_FIELDS:
            new, current = values[name], getattr(figure, name)
            if name == "is_professional_representative":
                # Either list saying "professional" is enough: the hard rule errs on the safe side.
                new = bool(current or new)
            elif new in ("", None) or not (same_list or current in ("", None)):
                continue
            if new != current:
                key, value = _map_value(context, name, new)
                changes[key] = value
        current_ids = set(figure.communities.values_list("pk", flat=True))
        if not values["community_ids"] <= current_ids:
            changes["communities"] = _communities(context, current_ids | values["community_ids"])
        if not same_list:
            changes[source.flag_field] = True
        _check_ally_rules(figure, changes)
        if changes:
            figure = do_update_key_figure(figure, changes, acting_user=context.acting_user)
        figures.with_entry.add(figure.pk)
        context.report.key_figures_linked += 1
    entry.key_figure = figure
    entry.save(update_fields=["key_figure"])


def match_view(values: dict[str, Any]) -> RowData:
    """The matching view of an entry's values (what ``KeyFigureIndex.find`` needs)."""
    return RowData(
        line=0,
        names=NameParts(values["first_name"], values["infix"], values["last_name"]),
        raw={},
        present=frozenset(),
        mobile=values["mobile"],
        email=values["email"],
    )


def _changed_fields(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """The names (as the report shows them) of the entry's values that differ."""
    names = [name.removesuffix("_id") for name in ENTRY_FIELDS if new[name] != old[name]]
    if new["community_ids"] != old["community_ids"]:
        names.append("communities")
    return names


def update_entry(entry: NominationEntry, data: RowData, context: ImportContext) -> list[str] | None:
    """Apply a row to its existing entry: the changed fields' names, or None when nothing changed.

    Nothing is written when nothing changed.
    """
    old = _entry_values(entry)
    new = _row_values(data, old)
    if new == old and entry.key_figure_id is not None:
        return None
    changed = _changed_fields(old, new)
    if new != old:
        _save_entry(entry, new, data, context.run)
    if entry.key_figure_id is None:  # its key figure was deleted from the map: attach again
        _link_new_entry(entry, new, context)
        return [*changed, "key_figure"]
    figure = KeyFigure.objects.get(pk=entry.key_figure_id)
    changes: dict[str, Any] = {}
    for name in ENTRY_FIELDS:
        if new[name] == old[name]:
            continue
        current = getattr(figure, name)
        if current == old[name] or current in ("", None):
            key, value = _map_value(context, name, new[name])
            changes[key] = value
    if not getattr(figure, context.source.flag_field):
        changes[context.source.flag_field] = True
    added = new["community_ids"] - old["community_ids"]
    removed = old["community_ids"] - new["community_ids"]
    if added or removed:
        # Keep a community another list still gives this person.
        still_listed = set(
            NominationEntry.communities.through.objects.filter(
                nominationentry__key_figure=figure, community_id__in=removed
            )
            .exclude(nominationentry=entry)
            .values_list("community_id", flat=True)
        )
        current_ids = set(figure.communities.values_list("pk", flat=True))
        wanted = (current_ids | added) - (removed - still_listed)
        if wanted != current_ids:
            changes["communities"] = _communities(context, wanted)
    _check_ally_rules(figure, changes)
    if changes:
        do_update_key_figure(figure, changes, acting_user=context.acting_user)
    return changed
