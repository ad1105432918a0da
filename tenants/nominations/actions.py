"""Changing the nomination lists: importing a list file, and confirming or rejecting a match.

Decisions (see also the module docstrings of ``reading``, ``columns`` and ``comparison``):

* **Whole file or nothing for file errors.** A file that is not CSV/XLSX, is empty or lacks the
  name columns raises a ``nomination_file_*`` DomainError before anything is written. Bad *rows*
  are reported with their spreadsheet line number and skipped; the other rows import.
* **Idempotent.** The same person on the same list is one :class:`NominationEntry`, recognised by
  phone, then e-mail (each only with a name that agrees), then normalised name (never against a
  conflicting phone or e-mail). An entry whose normalised data did not change is not written at
  all, so importing a file twice reports 0 created, 0 updated.
* **Feeding the map.** A new entry links to the key figure with the same phone or e-mail *and*
  a name that agrees (score at least the comparison's ``AMBIGUOUS_THRESHOLD``: a *strong* match;
  across lists this sets the other list's flag). A shared phone or e-mail with another name (a
  family's phone, an organisation's info@ address) is never merged: the row gets its own key
  figure and the comparison shows the pair as ambiguous. Otherwise it links to a key figure already
  flagged for this list with exactly the same name; otherwise it creates a key figure with this
  list's flag. A name-only resemblance across the lists is never merged here: it shows up as
  an ambiguous candidate in :func:`~tenants.nominations.comparison.compare_lists` for staff to
  confirm or reject.
* **Three-way updates.** When a later import changes an entry, each changed value is applied to
  the key figure only where the key figure still holds the entry's old value (or nothing): an
  edit made on the map, or data from the other list, is never overwritten by a list.
* **Allies keep to the hard rules.** A row that would make an ally a professional representative
  (or otherwise break ``tenants.selection.rules.check_ally_invariants``) fails with a row error;
  the ally and the other rows are left as they are.
* **Dry run.** The import runs in a savepoint that is rolled back; only the run's report is
  kept (``dry_run=True``) so the history shows who previewed which file. Besides the counts,
  the report lists row by row (the first ``ROW_OUTCOME_LIMIT``) what would happen: created,
  updated (with the names of the fields that change), unchanged or error.
"""

from __future__ import annotations

import copy
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import IO, Any, TypeVar

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from agora.accounts.actors import current_municipality
from agora.audit.actions import record_action
from agora.errors import NOT_FOUND, DomainError
from tenants.networkmap import actions as networkmap_actions
from tenants.networkmap.models import Community, KeyFigure, Neighbourhood
from tenants.nominations import errors
from tenants.nominations.columns import ColumnMap, Lookups, RowData, RowError, map_columns, parse_row
from tenants.nominations.comparison import AMBIGUOUS_THRESHOLD, list_memberships
from tenants.nominations.models import ImportRun, NominationEntry, RejectedMatch, Source
from tenants.nominations.names import NameParts, name_similarity
from tenants.nominations.reading import MAX_FILE_BYTES, Sheet, read_sheet
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

_T = TypeVar("_T")

Progress = Callable[[Iterable[Any]], Iterable[Any]]


# The report lists at most this many rows one by one (the counts always cover every row).
ROW_OUTCOME_LIMIT = 500


@dataclass(frozen=True)
class RowOutcome:
    """What one row did (or, in a dry run, would do): no personal values, only field names and codes.

    ``outcome`` is ``created``, ``updated`` (``fields``: the names of the entry's fields that
    change), ``unchanged`` or ``error`` (``codes``: the row's error codes; details in ``errors``).
    """

    line: int
    outcome: str
    fields: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "outcome": self.outcome,
            "fields": list(self.fields),
            "codes": list(self.codes),
        }


@dataclass
class ImportReport:
    """What an import did (or, for a dry run, would do)."""

    source: str
    file_name: str
    file_format: str
    checksum: str
    dry_run: bool
    run_id: int | None = None
    total_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    key_figures_created: int = 0
    key_figures_linked: int = 0
    not_in_file: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # Row by row, in file order, the first ROW_OUTCOME_LIMIT rows; ``rows_truncated`` if more.
    rows: list[RowOutcome] = field(default_factory=list)
    rows_truncated: bool = False

    def note_row(self, outcome: RowOutcome) -> None:
        if len(self.rows) < ROW_OUTCOME_LIMIT:
            self.rows.append(outcome)
        else:
            self.rows_truncated = True

    @property
    def error_count(self) -> int:
        """Rows with at least one error (a row may have several)."""
        return len({error.line for error in self.errors})

    def counts(self) -> dict[str, int]:
        return {
            "total_rows": self.total_rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": self.error_count,
            "key_figures_created": self.key_figures_created,
            "key_figures_linked": self.key_figures_linked,
            "not_in_file": self.not_in_file,
        }


class _DryRunRollback(Exception):
    """Raised inside the dry run's savepoint to undo everything while keeping the report."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__("dry run")
        self.report = report


def parse_source(source: str | Source) -> Source:
    try:
        return Source(str(source).strip().lower())
    except ValueError as error:
        raise errors.INVALID_SOURCE(fields={"source": [str(source)]}, source=str(source)) from error


def _read_bytes(file_obj: IO[bytes] | bytes) -> bytes:
    if isinstance(file_obj, bytes | bytearray):
        return bytes(file_obj)
    if hasattr(file_obj, "seek"):
        file_obj.seek(0)
    data = file_obj.read(MAX_FILE_BYTES + 1)
    if isinstance(data, str):  # a text-mode file: CSV only
        data = data.encode("utf-8")
    return data


@transaction.atomic
def import_nominations(
    file_obj: IO[bytes] | bytes,
    *,
    filename: str,
    source: str | Source,
    acting_user,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import one list (CSV or XLSX) of ``source`` into the current municipality.

    Raises a ``nomination_file_*`` DomainError, writing nothing, when the file is unusable as a
    whole. ``progress`` wraps the row iterable (the management command passes tqdm).
    """
    if current_municipality() is None:
        raise RuntimeError("import_nominations must run inside a municipality's schema")
    source = parse_source(source)
    data = _read_bytes(file_obj)
    sheet = read_sheet(data, filename)
    columns = map_columns(sheet.header)
    report = ImportReport(
        source=source.value,
        file_name=(filename or "upload")[:255],
        file_format=sheet.file_format.value,
        checksum=hashlib.sha256(data).hexdigest(),
        dry_run=dry_run,
        ignored_columns=columns.ignored,
    )
    _lock_lists()
    if not dry_run:
        run = _apply(sheet, columns, source, report, acting_user=acting_user, progress=progress)
        record_action("nominations.imported", actor=acting_user, obj=run, detail=_audit_detail(report))
        return report
    try:
        with transaction.atomic():
            _apply(sheet, columns, source, report, acting_user=acting_user, progress=progress)
            raise _DryRunRollback(report)
    except _DryRunRollback as rollback:
        report = rollback.report
    run = _create_run(report, source, acting_user)
    _finish_run(run, report)
    report.run_id = run.pk
    record_action("nominations.import_previewed", actor=acting_user, obj=run, detail=_audit_detail(report))
    return report


def _audit_detail(report: ImportReport) -> dict[str, Any]:
    """Counts and the file's identity; no personal data in the audit trail."""
    return {
        "source": report.source,
        "file_name": report.file_name,
        "checksum": report.checksum,
        "dry_run": report.dry_run,
        **report.counts(),
    }


def _lock_lists() -> None:
    """One import (or merge) at a time per municipality: both lists feed the same key figures."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s))", [f"agora.nominations:{connection.schema_name}"]
        )


def _create_run(report: ImportReport, source: Source, acting_user) -> ImportRun:
    return ImportRun.objects.create(
        source=source.value,
        file_name=report.file_name,
        file_format=report.file_format,
        checksum=report.checksum,
        imported_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        dry_run=report.dry_run,
    )


def _finish_run(run: ImportRun, report: ImportReport) -> None:
    run.total_rows = report.total_rows
    run.created_count = report.created
    run.updated_count = report.updated
    run.unchanged_count = report.unchanged
    run.error_count = report.error_count
    run.key_figures_created = report.key_figures_created
    run.key_figures_linked = report.key_figures_linked
    run.not_in_file = report.not_in_file
    run.ignored_columns = report.ignored_columns
    run.errors = [error.stored_dict() for error in report.errors]  # no personal values
    run.finished_at = timezone.now()
    run.save()


@dataclass
class _Import:
    """What every row of one import needs: the run, the indexes and the map's objects."""

    source: Source
    run: ImportRun
    report: ImportReport
    acting_user: Any
    figures: _KeyFigureIndex
    neighbourhoods: dict[int, Neighbourhood]
    communities: dict[int, Community]


def _apply(
    sheet: Sheet,
    columns: ColumnMap,
    source: Source,
    report: ImportReport,
    *,
    acting_user,
    progress: Progress | None,
) -> ImportRun:
    run = _create_run(report, source, acting_user)
    lookups = Lookups.load()
    entries = _EntryIndex(source)
    context = _Import(
        source=source,
        run=run,
        report=report,
        acting_user=acting_user,
        figures=_KeyFigureIndex(source),
        neighbourhoods=Neighbourhood.objects.in_bulk(),
        communities=Community.objects.in_bulk(),
    )
    seen: dict[int, int] = {}  # entry pk → line that matched it
    rows: Iterable[tuple[int, list[str]]] = sheet.rows
    if progress is not None:
        rows = progress(rows)
    for line, cells in rows:
        report.total_rows += 1
        data, problems = parse_row(line, cells, sheet.header, columns, lookups)
        if data is None:
            report.errors.extend(problems)
            report.note_row(_error_outcome(line, problems))
            continue
        entry = entries.find(data)
        if entry is not None and entry.pk in seen:
            duplicate_of = {"line": seen[entry.pk]}
            duplicate = RowError(line, "", errors.ROW_DUPLICATE.code, params=duplicate_of)
            report.errors.append(duplicate)
            report.note_row(_error_outcome(line, [duplicate]))
            continue
        counts_before = (report.key_figures_created, report.key_figures_linked)
        changed: tuple[str, ...] = ()
        try:
            # A rule of the map (say, a neighbourhood for someone who lives elsewhere) fails
            # this row only: its savepoint is undone and the import goes on.
            with transaction.atomic():
                outcome = "created" if entry is None else ""
                if entry is None:
                    entry = _create_entry(data, context)
                else:
                    updated = _update_entry(entry, data, context)
                    outcome = "unchanged" if updated is None else "updated"
                    changed = tuple(updated or ())
        except DomainError as error:
            report.key_figures_created, report.key_figures_linked = counts_before
            if entry is not None and entry.pk in entries.existing_ids | set(seen):
                entry.refresh_from_db()
                entry._prefetched_objects_cache = {}
            problem = _row_error(line, error, sheet.header, columns)
            report.errors.append(problem)
            report.note_row(_error_outcome(line, [problem]))
            continue
        entries.add(entry)
        setattr(report, outcome, getattr(report, outcome) + 1)
        report.note_row(RowOutcome(line, outcome, fields=changed))
        seen[entry.pk] = line
    report.not_in_file = len(entries.existing_ids - set(seen))
    _finish_run(run, report)
    report.run_id = run.pk
    return run


def _error_outcome(line: int, problems: list[RowError]) -> RowOutcome:
    return RowOutcome(line, "error", codes=tuple(dict.fromkeys(problem.code for problem in problems)))


def _row_error(line: int, error: DomainError, header: list[str], columns: ColumnMap) -> RowError:
    """A domain error of the map, reported on the row (and column, when it names a field we read)."""
    field_name = next(iter(error.fields), "")
    column = ""
    if field_name in columns.positions:
        column = header[columns.positions[field_name][0]]
    params = {
        k: v if isinstance(v, str | int | float | bool) or v is None else str(v)
        for k, v in error.params.items()
    }
    return RowError(line, column, error.code, params=params)


# --- recognising people -------------------------------------------------------------------


def _name_parts(obj: Any) -> NameParts:
    return NameParts(first_name=obj.first_name, infix=obj.infix, last_name=obj.last_name)


def _conflicts(a_mobile: str, a_email: str, b_mobile: str, b_email: str) -> bool:
    """Both sides know a phone (or e-mail) and they differ: not the same person by name alone."""
    return bool(
        (a_mobile and b_mobile and a_mobile != b_mobile) or (a_email and b_email and a_email != b_email)
    )


class _EntryIndex:
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
                found = _same_person(data.names, index[value], _name_parts)
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


class _KeyFigureIndex:
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
        self._add(figure.pk, _name_parts(figure), figure.mobile, figure.email.lower(), True)
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


# --- writing entries and feeding the map ----------------------------------------------------


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
    entry.name_key = _name_parts(entry).key()
    entry.raw_row = data.raw
    entry.line_number = data.line
    entry.last_changed_run = run
    entry.save()
    entry.communities.set(values["community_ids"])
    # Refresh the prefetch cache so later comparisons in this import see the new set.
    entry._prefetched_objects_cache = {}


def _create_entry(data: RowData, context: _Import) -> NominationEntry:
    values = _row_values(data, None)
    entry = NominationEntry(source=context.source.value, first_run=context.run)
    _save_entry(entry, values, data, context.run)
    _link_new_entry(entry, values, context)
    return entry


def _map_value(context: _Import, name: str, value: Any) -> tuple[str, Any]:
    """An entry value as the network map's actions take it (objects, not ids)."""
    if name == "neighbourhood_id":
        return "neighbourhood", context.neighbourhoods.get(value) if value else None
    return name, value


def _communities(context: _Import, ids: Iterable[int]) -> list[Community]:
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


def _link_new_entry(entry: NominationEntry, values: dict[str, Any], context: _Import) -> None:
    """Attach a new entry to the map: a strong match is updated and flagged, else a new key figure.

    Key figures are written through the network map's own actions, so its rules and its audit
    rows apply to imported people exactly as to people entered by hand.
    """
    source, figures = context.source, context.figures
    pk = figures.find(_row_data_view(values))
    if pk is None:
        data = dict(_map_value(context, name, values[name]) for name in ENTRY_FIELDS)
        data["communities"] = _communities(context, values["community_ids"])
        data[source.flag_field] = True
        figure = networkmap_actions.create_key_figure(data, acting_user=context.acting_user)
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
            figure = networkmap_actions.update_key_figure(figure, changes, acting_user=context.acting_user)
        figures.with_entry.add(figure.pk)
        context.report.key_figures_linked += 1
    entry.key_figure = figure
    entry.save(update_fields=["key_figure"])


def _row_data_view(values: dict[str, Any]) -> RowData:
    """The matching view of an entry's values (what ``_KeyFigureIndex.find`` needs)."""
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


def _update_entry(entry: NominationEntry, data: RowData, context: _Import) -> list[str] | None:
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
        networkmap_actions.update_key_figure(figure, changes, acting_user=context.acting_user)
    return changed


# --- confirming and rejecting matches --------------------------------------------------------


def _pair(municipality_key_figure_id: int, police_key_figure_id: int) -> tuple[KeyFigure, KeyFigure]:
    """The two key figures, locked: the first on the municipality's list, the second on the police's."""
    if municipality_key_figure_id == police_key_figure_id:
        raise errors.MATCH_INVALID(fields={"police_key_figure": [police_key_figure_id]})
    figures = {
        f.pk: f
        for f in KeyFigure.objects.select_for_update().filter(
            pk__in=[municipality_key_figure_id, police_key_figure_id]
        )
    }
    if len(figures) != 2:
        raise NOT_FOUND()
    on_list = list_memberships(figures.keys())
    if (
        Source.MUNICIPALITY.value not in on_list[municipality_key_figure_id]
        or Source.POLICE.value not in on_list[police_key_figure_id]
    ):
        raise errors.MATCH_INVALID(
            fields={
                "municipality_key_figure": [municipality_key_figure_id],
                "police_key_figure": [police_key_figure_id],
            }
        )
    return figures[municipality_key_figure_id], figures[police_key_figure_id]


def _survivor(a: KeyFigure, b: KeyFigure) -> tuple[KeyFigure, KeyFigure]:
    """(kept, absorbed): keep the ally, else the one with a login, else the older record."""

    def rank(figure: KeyFigure) -> tuple[int, int, int]:
        return (0 if figure.is_ally else 1, 0 if figure.user_id else 1, figure.pk)

    kept, absorbed = sorted((a, b), key=rank)
    return kept, absorbed


# Filled on the kept record from the absorbed one when the kept one has none.
_MERGE_FILL = ("infix", "mobile", "email", "represents")


@transaction.atomic
def confirm_match(municipality_key_figure_id: int, police_key_figure_id: int, *, acting_user) -> KeyFigure:
    """Staff say these are one person: merge the two key figures into one on both lists.

    Both lists' entries stay (now pointing at the kept key figure), so nothing either list said
    is lost. The kept record's values win; it takes over what it lacks. The field changes go
    through the network map's ``update_key_figure`` (its rules, its audit row). Everything else
    that pointed at the absorbed key figure (contacts, selection, council seats, ...) is moved
    to the kept one; if that would break a rule of another part of the product (say, both are
    in an open selection case, or an ally would become a professional representative or live
    outside the municipality) the merge is refused with ``nomination_match_conflict`` (409) and
    nothing changes.
    """
    _lock_lists()
    municipality_figure, police_figure = _pair(municipality_key_figure_id, police_key_figure_id)
    score = name_similarity(_name_parts(municipality_figure), _name_parts(police_figure))
    kept, absorbed = _survivor(municipality_figure, police_figure)
    changes: dict[str, Any] = {"nominated_by_municipality": True, "nominated_by_police": True}
    conflicts = []
    for name in _MERGE_FILL:
        mine, theirs = getattr(kept, name), getattr(absorbed, name)
        if not mine and theirs:
            changes[name] = theirs
        elif mine and theirs and theirs != mine:
            conflicts.append(name)  # the kept value stays; the other remains on its list entry
    # Where someone lives is one fact: a neighbourhood here or a municipality elsewhere, taken as a pair.
    if not kept.neighbourhood_id and not kept.residence_cbs_code:
        changes["neighbourhood"] = absorbed.neighbourhood
        changes["residence_cbs_code"] = absorbed.residence_cbs_code
    if absorbed.influence_notes and absorbed.influence_notes not in kept.influence_notes:
        changes["influence_notes"] = "\n\n".join(
            filter(None, [kept.influence_notes, absorbed.influence_notes])
        )
    if absorbed.is_professional_representative:
        changes["is_professional_representative"] = True
    changes["communities"] = list({*kept.communities.all(), *absorbed.communities.all()})
    _check_merge_keeps_ally_rules(kept, absorbed, changes)
    # Not the map's to edit by hand (the selection and the contact log keep them), but they are
    # the same person's: the kept record takes the login and the latest contact.
    system = {}
    if absorbed.user_id and not kept.user_id:
        system["user_id"] = absorbed.user_id
    if absorbed.last_contact_on and (
        not kept.last_contact_on or absorbed.last_contact_on > kept.last_contact_on
    ):
        system["last_contact_on"] = absorbed.last_contact_on
    _move_rejections(kept, absorbed)
    _move_relations(kept, absorbed)
    kept = networkmap_actions.update_key_figure(kept, changes, acting_user=acting_user)
    if system:
        KeyFigure.objects.filter(pk=absorbed.pk).update(user=None)
        KeyFigure.objects.filter(pk=kept.pk).update(**system)
        kept.refresh_from_db()
    absorbed_pk = absorbed.pk
    absorbed.delete()
    record_action(
        "nominations.match_confirmed",
        actor=acting_user,
        obj=kept,
        detail={
            "municipality_key_figure": municipality_key_figure_id,
            "police_key_figure": police_key_figure_id,
            "kept": kept.pk,
            "absorbed": absorbed_pk,
            "name_score": score,
            "conflicting_fields": conflicts,
        },
    )
    return kept


def _check_merge_keeps_ally_rules(kept: KeyFigure, absorbed: KeyFigure, changes: dict[str, Any]) -> None:
    """Merging into (or from) an ally must leave an ally within the hard rules, or it is refused.

    Say the police's record says "professional organisation" or "lives in Amersfoort" and the
    municipality's is an ally: the merged record would be a professional or non-resident ally.
    Refused with ``nomination_match_conflict`` (409) before anything changes.
    """
    if not (kept.is_ally or absorbed.is_ally):
        return
    preview = copy.copy(kept)
    preview.is_ally = True
    for name, value in changes.items():
        if name != "communities":
            setattr(preview, name, value)
    try:
        check_ally_invariants(preview)
    except DomainError as error:
        raise errors.MATCH_CONFLICT(fields={"rule": [error.code]}, reason=error.message()) from error


def _move_rejections(kept: KeyFigure, absorbed: KeyFigure) -> None:
    """Rejections of the absorbed record become the kept one's (the pair just merged is dropped)."""
    RejectedMatch.objects.filter(
        municipality_key_figure__in=[kept, absorbed], police_key_figure__in=[kept, absorbed]
    ).delete()
    roles = ("municipality_key_figure", "police_key_figure")
    for role, other in (roles, roles[::-1]):
        for rejection in RejectedMatch.objects.filter(**{role: absorbed}):
            duplicate = RejectedMatch.objects.filter(**{role: kept, other: getattr(rejection, f"{other}_id")})
            if duplicate.exists():
                rejection.delete()
            else:
                setattr(rejection, role, kept)
                rejection.save(update_fields=[role])


def _move_relations(kept: KeyFigure, absorbed: KeyFigure) -> None:
    """Point every other record that refers to ``absorbed`` at ``kept``, or refuse the merge."""
    for relation in KeyFigure._meta.related_objects:
        model = relation.related_model
        if model is RejectedMatch:
            continue
        try:
            with transaction.atomic():
                if relation.many_to_many:
                    through = relation.through
                    to_figure = relation.field.m2m_reverse_field_name()
                    to_owner = relation.field.m2m_field_name()
                    owned = through._base_manager.filter(**{to_figure: kept})
                    already = set(owned.values_list(f"{to_owner}_id", flat=True))
                    links = through._base_manager.filter(**{to_figure: absorbed})
                    links.filter(**{f"{to_owner}_id__in": already}).delete()
                    links.update(**{to_figure: kept})
                else:
                    name = relation.field.name
                    if (
                        relation.one_to_one
                        and model._base_manager.filter(**{name: kept}).exists()
                        and model._base_manager.filter(**{name: absorbed}).exists()
                    ):
                        raise errors.MATCH_CONFLICT(reason=str(model._meta.verbose_name))
                    model._base_manager.filter(**{name: absorbed}).update(**{name: kept})
        except IntegrityError as error:
            raise errors.MATCH_CONFLICT(reason=str(model._meta.verbose_name)) from error


@transaction.atomic
def reject_match(
    municipality_key_figure_id: int, police_key_figure_id: int, *, acting_user, reason: str = ""
) -> RejectedMatch:
    """Staff say these are two different people: remember it, so the pair is not proposed again."""
    municipality_figure, police_figure = _pair(municipality_key_figure_id, police_key_figure_id)
    score = name_similarity(_name_parts(municipality_figure), _name_parts(police_figure))
    rejection, created = RejectedMatch.objects.get_or_create(
        municipality_key_figure=municipality_figure,
        police_key_figure=police_figure,
        defaults={
            "score": score,
            "rejected_by": acting_user if getattr(acting_user, "is_authenticated", False) else None,
            "reason": (reason or "")[:200],
        },
    )
    if created:
        record_action(
            "nominations.match_rejected",
            actor=acting_user,
            obj=rejection,
            detail={
                "municipality_key_figure": municipality_figure.pk,
                "police_key_figure": police_figure.pk,
                "name_score": score,
            },
        )
    return rejection
