"""What an import did (or, in a dry run, would do): the counts and, row by row, the outcome.

The report holds no personal values, only line numbers, field names and error codes, so it can
be kept on the :class:`~tenants.nominations.models.ImportRun`, shown by the API and printed by
the management command.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tenants.nominations.columns import RowError

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
