"""Importing a nomination list (CSV or XLSX): the engine that reads it row by row, and its report.

Decisions (see also the module docstrings of ``reading``, ``columns``, ``recognition``,
``entries`` and ``comparison``):

* **Whole file or nothing for file errors.** A file that is not CSV/XLSX, is empty or lacks the
  name columns raises a ``nomination_file_*`` DomainError before anything is written. Bad *rows*
  are reported with their spreadsheet line number and skipped; the other rows import.
* **Idempotent.** The same person on the same list is one :class:`NominationEntry`, recognised by
  phone, then e-mail (each only with a name that agrees), then normalised name (never against a
  conflicting phone or e-mail). An entry whose normalised data did not change is not written at
  all, so importing a file twice reports 0 created, 0 updated.
* **Feeding the map** and **three-way updates**: see ``tenants.nominations.entries``. A name-only
  resemblance across the lists is never merged here: it shows up as an ambiguous candidate in
  :func:`~tenants.nominations.comparison.compare_lists` for staff to confirm or reject
  (``tenants.nominations.merging``).
* **Dry run.** The import runs in a savepoint that is rolled back; only the run's report is
  kept (``dry_run=True``) so the history shows who previewed which file. Besides the counts,
  the report lists row by row (the first ``ROW_OUTCOME_LIMIT``) what would happen: created,
  updated (with the names of the fields that change), unchanged or error.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import IO, Any

from django.db import connection, transaction
from django.utils import timezone

from agora.accounts.actors import current_municipality
from agora.audit.actions import record_action
from agora.errors import DomainError
from tenants.networkmap.actions import check_acting_user
from tenants.networkmap.models import Community, Neighbourhood
from tenants.nominations import errors
from tenants.nominations.batch import NewRowBatch
from tenants.nominations.columns import ColumnMap, Lookups, RowError, map_columns, parse_row
from tenants.nominations.entries import ImportContext, create_entry, is_unchanged, update_entry
from tenants.nominations.models import ImportRun, Source
from tenants.nominations.reading import MAX_FILE_BYTES, Sheet, read_sheet
from tenants.nominations.recognition import EntryIndex, KeyFigureIndex
from tenants.nominations.report import ImportReport, RowOutcome

Progress = Callable[[Iterable[Any]], Iterable[Any]]


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
def do_import_nominations(
    file_obj: IO[bytes] | bytes,
    *,
    filename: str,
    source: str | Source,
    acting_user,
    dry_run: bool = False,
    progress: Progress | None = None,
    bulk: bool = True,
) -> ImportReport:
    """Import one list (CSV or XLSX) of ``source`` into the current municipality.

    Raises a ``nomination_file_*`` DomainError, writing nothing, when the file is unusable as a
    whole. ``progress`` wraps the row iterable (the management command passes tqdm). Only staff
    of this municipality import (``permission_denied``); ``acting_user=None`` is the platform (the
    management command without ``--user``).

    ``bulk`` (the default) writes rows that add new people in batches (``tenants.nominations.batch``)
    with the same checks, row errors and audit rows as the per-row path (``bulk=False``), which
    stays for comparison (``python -m bench import``) and is what every other row goes through.
    """
    if current_municipality() is None:
        raise RuntimeError("do_import_nominations must run inside a municipality's schema")
    check_acting_user(acting_user)
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
    lock_lists()
    if not dry_run:
        run = _apply(sheet, columns, source, report, acting_user=acting_user, progress=progress, bulk=bulk)
        record_action("nominations.imported", actor=acting_user, obj=run, detail=_audit_detail(report))
        return report
    try:
        with transaction.atomic():
            _apply(sheet, columns, source, report, acting_user=acting_user, progress=progress, bulk=bulk)
            raise _DryRunRollback(report)
    except _DryRunRollback as rollback:
        report = rollback.report
    run = _create_run(report, source, acting_user)
    _finish_run(run, report)
    report.run_id = run.pk
    record_action("nominations.import_previewed", actor=acting_user, obj=run, detail=_audit_detail(report))
    return report


def _audit_detail(report: ImportReport) -> dict[str, Any]:
    """Counts and the file's checksum; no personal data in the audit trail (a file's name is
    free text, e.g. "lijst moskee Lombok.xlsx": it stays on the import run in the tenant)."""
    return {
        "source": report.source,
        "checksum": report.checksum,
        "dry_run": report.dry_run,
        **report.counts(),
    }


def lock_lists() -> None:
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


def _apply(
    sheet: Sheet,
    columns: ColumnMap,
    source: Source,
    report: ImportReport,
    *,
    acting_user,
    progress: Progress | None,
    bulk: bool,
) -> ImportRun:
    run = _create_run(report, source, acting_user)
    lookups = Lookups.load()
    entries = EntryIndex(source)
    context = ImportContext(
        source=source,
        run=run,
        report=report,
        acting_user=acting_user,
        figures=KeyFigureIndex(source),
        neighbourhoods=Neighbourhood.objects.in_bulk(),
        communities=Community.objects.in_bulk(),
    )
    seen: dict[int, int] = {}  # entry pk → line that matched it
    batch = NewRowBatch(context) if bulk else None
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
        if batch is not None:
            if entry is None:
                try:
                    queued = batch.queue(data)
                except DomainError as error:
                    problem = _row_error(line, error, sheet.header, columns)
                    report.errors.append(problem)
                    report.note_row(_error_outcome(line, [problem]))
                    continue
                if queued is not None:
                    entries.add(queued)
                    report.created += 1
                    report.note_row(RowOutcome(line, "created"))
                    seen[queued.pk] = line
                    continue
            elif is_unchanged(entry, data):
                report.unchanged += 1
                report.note_row(RowOutcome(line, "unchanged"))
                seen[entry.pk] = line
                continue
            batch.flush()  # the per-row path below sees every earlier row written
        counts_before = (report.key_figures_created, report.key_figures_linked)
        changed: tuple[str, ...] = ()
        try:
            # A rule of the map (say, a neighbourhood for someone who lives elsewhere) fails
            # this row only: its savepoint is undone and the import goes on.
            with transaction.atomic():
                outcome = "created" if entry is None else ""
                if entry is None:
                    entry = create_entry(data, context)
                else:
                    updated = update_entry(entry, data, context)
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
    if batch is not None:
        batch.flush()
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
