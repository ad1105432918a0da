"""The access log as a hash chain: each read row's hash covers its content and the previous hash.

Rows are chained per municipality (one chain per tenant: writers in different municipalities
never wait for each other). The database computes the hashes in a BEFORE INSERT trigger (audit
migration 0005) under ``pg_advisory_xact_lock`` on the municipality, so two writers never fork
a chain and no insert path (bulk_create, raw SQL, the admin) can skip it; the application role
cannot disable the trigger (it owns no table, docs/security.md "Database roles").

This module recomputes the same digest in Python, independently of the database function, so
that ``agora manage verify_access_log`` also notices a trigger that was replaced.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

from agora.audit.models import PersonRecordRead

# The fields a row's hash covers, in order (the trigger uses the same list).
CHAINED_FIELDS = ("id", "created_at", "municipality_id", "actor_id", "record_type", "record_id", "purpose")


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def digest(row: PersonRecordRead, prev_hash: str) -> str:
    """sha256 over ``id|created_at(UTC, µs)|municipality|actor|type|record|purpose|prev_hash``."""
    parts = [
        str(row.pk),
        _utc(row.created_at),
        str(row.municipality_id),
        str(row.actor_id),
        row.record_type,
        row.record_id,
        row.purpose,
        prev_hash,
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class BrokenLink:
    """The first row at which a municipality's chain no longer holds, and why."""

    municipality_id: int
    row_id: int
    reason: str


@dataclass(frozen=True)
class ChainReport:
    municipality_id: int
    rows: int
    head: str
    broken: BrokenLink | None


def verify_municipality(municipality_id: int) -> ChainReport:
    """Walk one municipality's chain in insert order; stop at the first broken link."""
    previous = ""
    count = 0
    rows = (
        PersonRecordRead.objects.filter(municipality_id=municipality_id)
        .order_by("id")
        .only(*CHAINED_FIELDS, "prev_hash", "hash")
    )
    for row in rows.iterator(chunk_size=2000):
        if row.prev_hash != previous:
            reason = "its previous hash does not match the row before it (a row removed or reordered)"
            return ChainReport(municipality_id, count, previous, BrokenLink(municipality_id, row.pk, reason))
        if row.hash != digest(row, previous):
            reason = "its content does not match its hash (the row was changed)"
            return ChainReport(municipality_id, count, previous, BrokenLink(municipality_id, row.pk, reason))
        previous = row.hash
        count += 1
    return ChainReport(municipality_id, count, previous, None)


def verify_all() -> Iterator[ChainReport]:
    """One report per municipality that has read rows, in municipality order."""
    ids = (
        PersonRecordRead.objects.order_by("municipality_id")
        .values_list("municipality_id", flat=True)
        .distinct()
    )
    for municipality_id in ids:
        yield verify_municipality(municipality_id)
