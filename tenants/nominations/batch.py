"""The bulk path of an import: rows that add a new person to the list and the map, written in batches.

A first import of a city's list is thousands of people nobody has entered yet. Row by row, each
costs a savepoint, the entry, its communities, the key figure through the network map's action,
the key figure's communities, its audit row and the entry's link: a dozen round trips, 23 to 31 s
for 2,000 rows. Here such a row is checked exactly as the per-row path checks it (the entry's
values through ``tenants.nominations.entries``, the key figure through the network map's
:func:`~tenants.networkmap.actions.prepare_key_figure`, so the same ``DomainError`` fails the
same row), given primary keys reserved from the tables' sequences, and indexed at once, so that
later rows of the file recognise it (duplicates, matches) as if it had been written. The batch
is written with :func:`~tenants.networkmap.actions.do_create_key_figures` (one audit row per key
figure, as before) and ``bulk_create`` for the entries.

Every other row (an entry already on the list that changes, a person who links to a key figure
already on the map) goes through the per-row path unchanged, after the batch so far is written
(:meth:`NewRowBatch.flush`), so it sees exactly the database the per-row path would have seen.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tenants.networkmap.actions import NewKeyFigure, do_create_key_figures, prepare_key_figure, reserve_ids
from tenants.networkmap.models import KeyFigure
from tenants.nominations.columns import RowData
from tenants.nominations.entries import ImportContext, match_view, new_entry, new_figure_data
from tenants.nominations.models import NominationEntry

# Keys are reserved this many at a time (one nextval round trip per block).
ID_BLOCK = 500


@dataclass
class _Ids:
    """Primary keys reserved for one table, handed out one by one."""

    model: type
    free: list[int] = field(default_factory=list)

    def take(self) -> int:
        if not self.free:
            self.free = reserve_ids(self.model, ID_BLOCK)[::-1]
        return self.free.pop()


class NewRowBatch:
    """New entries with their new key figures, checked and indexed, written on :meth:`flush`."""

    def __init__(self, context: ImportContext) -> None:
        self.context = context
        self.figures: list[NewKeyFigure] = []
        self.entries: list[tuple[NominationEntry, frozenset[int]]] = []
        self._figure_ids = _Ids(KeyFigure)
        self._entry_ids = _Ids(NominationEntry)

    def queue(self, data: RowData) -> NominationEntry | None:
        """Take a row that is not on this list yet; None when it belongs to the per-row path.

        Raises the per-row path's ``DomainError`` for a row the network map refuses (nothing of
        the row is queued then). Returns the (unsaved, keyed) entry, already in the key figure
        index, so the caller indexes it among the list's entries.
        """
        context = self.context
        entry, values = new_entry(data, context)
        if context.figures.find(match_view(values)) is not None:
            return None  # links to (and may update) a key figure on the map: per row
        prepared = prepare_key_figure(new_figure_data(values, context))
        prepared.figure.pk = self._figure_ids.take()
        entry.pk = self._entry_ids.take()
        entry.key_figure_id = prepared.figure.pk
        context.figures.add(prepared.figure)
        context.report.key_figures_created += 1
        self.figures.append(prepared)
        self.entries.append((entry, values["community_ids"]))
        return entry

    def __len__(self) -> int:
        return len(self.entries)

    def flush(self) -> None:
        """Write what is queued: key figures (with communities and audit rows), then the entries."""
        if not self.entries:
            return
        do_create_key_figures(self.figures, acting_user=self.context.acting_user)
        NominationEntry.objects.bulk_create([entry for entry, _ in self.entries], batch_size=1000)
        through = NominationEntry.communities.through
        through.objects.bulk_create(
            [
                through(nominationentry_id=entry.pk, community_id=community_id)
                for entry, community_ids in self.entries
                for community_id in sorted(community_ids)
            ],
            batch_size=1000,
        )
        self.figures, self.entries = [], []
