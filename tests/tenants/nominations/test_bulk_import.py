"""The bulk import path does exactly what the per-row path does, in a bounded number of statements.

``do_import_nominations`` writes rows that add new people in batches (``tenants.nominations.batch``);
the per-row path (``bulk=False``) is the reference. Both run here on the same files, from the same
starting map, and must leave the same lists, key figures, audit rows and reports behind.
"""

from __future__ import annotations

import io
from collections import Counter

from django.db import transaction

from agora.audit.models import AuditEvent
from tenants.networkmap.models import KeyFigure
from tenants.nominations.importing import do_import_nominations
from tenants.nominations.models import NominationEntry
from tests.tenants.nominations.conftest import csv_bytes, row

FIRST_FILE = [
    row(
        "Jan", "Berg", infix="van der", mobile="06-12345678", wijk="kanaleneiland", communities="Ondernemers"
    ),
    row(
        "Fatima",
        "El Amrani",
        mobile="+31 6 2345 6789",
        wijk="Overvecht",
        communities="Marokkaanse gemeenschap",
    ),
]
SECOND_FILE = [
    row(
        "Jan", "Berg", infix="van der", mobile="06-12345678", wijk="kanaleneiland", communities="Ondernemers"
    ),
    row(
        "Fatima", "El Amrani", mobile="+31 6 2345 6789", wijk="Lombok", communities="Marokkaanse gemeenschap"
    ),
    row("Anna", "Jansen", mobile="0611110001", wijk="Lombok", communities="Ulu Moskee; Turkse gemeenschap"),
    row("Bram", "Bakker", mobile="12345"),  # invalid phone
    row("Sem", "Kok", mobile="0611112222", wijk="Lombok"),  # the police's key figure: lives elsewhere
    row("Cor", "de Wit", email="cor@example.nl", professional="ja", represents="Welzijn Noord"),
    row("Anna", "Janssen", mobile="0611110001"),  # the same person as line 4: a duplicate
    row("Mehmet", "Özdemir", email="m.ozdemir@example.nl"),  # on the police's list: linked
    row("Dirk", "Dekker", mobile="0611110002", wijk="Atlantis"),  # unknown neighbourhood
    row("Eva", "Smit", mobile="0611110003", communities="Ondernemers"),
    row("Eva", "Smit", mobile="0611110003", communities="Ondernemers"),  # repeated line
]


def _import(data: bytes, user, *, bulk: bool, source: str = "municipality", dry_run: bool = False):
    return do_import_nominations(
        io.BytesIO(data), filename="lijst.csv", source=source, acting_user=user, dry_run=dry_run, bulk=bulk
    )


def _people(queryset) -> list[tuple]:
    return sorted(
        (
            figure.first_name,
            figure.infix,
            figure.last_name,
            figure.mobile,
            figure.email,
            figure.neighbourhood_id,
            figure.residence_cbs_code,
            figure.nominated_by_municipality,
            figure.nominated_by_police,
            figure.is_professional_representative,
            figure.represents,
            tuple(sorted(c.pk for c in figure.communities.all())),
        )
        for figure in queryset.prefetch_related("communities")
    )


def _state(audit_after: int) -> dict:
    """What an import leaves behind, without the database's own keys and clocks."""
    entries = sorted(
        (
            entry.source,
            entry.first_name,
            entry.last_name,
            entry.mobile,
            entry.email,
            entry.neighbourhood_id,
            entry.name_key,
            entry.line_number,
            tuple(sorted(entry.raw_row.items())),
            tuple(sorted(c.pk for c in entry.communities.all())),
            (entry.key_figure.first_name, entry.key_figure.last_name) if entry.key_figure else None,
            entry.first_run.file_name,
        )
        for entry in NominationEntry.objects.select_related("key_figure", "first_run").prefetch_related(
            "communities"
        )
    )
    audit = Counter(
        (
            event.action,
            event.actor_id,
            event.municipality_id,
            event.object_type,
            str(sorted(event.detail.items())),
        )
        for event in AuditEvent.objects.filter(pk__gt=audit_after)
        if event.action != "nominations.imported"  # its detail holds the run's own checksum only
    )
    return {"figures": _people(KeyFigure.objects.all()), "entries": entries, "audit": audit}


def _report(report) -> dict:
    outcome = report.as_dict() if hasattr(report, "as_dict") else dict(vars(report))
    outcome.pop("run_id", None)
    return {
        "counts": report.counts(),
        "errors": [(e.line, e.column, e.code, sorted(e.params.items())) for e in report.errors],
        "rows": [r.as_dict() for r in report.rows] if hasattr(report, "rows") else None,
    }


def _scenario(official, police, *, bulk: bool) -> tuple[list[dict], dict]:
    """Police list first (two people), the municipality's first file, then the mixed second file."""
    last_audit = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    KeyFigure.objects.create(
        first_name="Sem",
        last_name="Kok",
        mobile="+31611112222",
        residence_cbs_code="GM0307",
        nominated_by_police=True,
    )
    reports = [
        _import(
            csv_bytes([row("Mehmet", "Ozdemir", email="M.Ozdemir@example.NL")]),
            police,
            source="police",
            bulk=bulk,
        ),
        _import(csv_bytes(FIRST_FILE), official, bulk=bulk),
        _import(csv_bytes(SECOND_FILE), official, bulk=bulk, dry_run=True),
        _import(csv_bytes(SECOND_FILE), official, bulk=bulk),
        _import(csv_bytes(SECOND_FILE), official, bulk=bulk),  # again: nothing changes
    ]
    return [_report(report) for report in reports], _state(last_audit)


class _Rollback(Exception):
    pass


def test_bulk_and_per_row_paths_leave_the_same_lists_map_audit_and_reports(city_map, people):
    official, police = people.official("utrecht"), people.police("utrecht")  # outside the rollback
    try:
        with transaction.atomic():
            per_row = _scenario(official, police, bulk=False)
            raise _Rollback
    except _Rollback:
        pass
    bulk = _scenario(official, police, bulk=True)

    assert bulk == per_row
    reports, state = bulk
    # The scenario exercises every kind of row (so equality is not the equality of two empty runs).
    assert reports[3]["counts"] == {
        "total_rows": 11,
        "created": 4,
        "updated": 1,
        "unchanged": 1,
        "errors": 5,
        "key_figures_created": 3,
        "key_figures_linked": 1,
        "not_in_file": 0,
    }
    assert [(line, code) for line, _, code, _ in reports[3]["errors"]] == [
        (5, "nomination_row_invalid_phone"),
        (6, "residence_conflict"),
        (8, "nomination_row_duplicate"),
        (10, "nomination_row_unknown_neighbourhood"),
        (12, "nomination_row_duplicate"),
    ]
    assert reports[4]["counts"]["created"] == reports[4]["counts"]["updated"] == 0
    assert reports[4]["counts"]["unchanged"] == 6
    created = [reports[n]["counts"]["key_figures_created"] for n in (0, 1, 3, 4)]
    audited = sum(n for key, n in state["audit"].items() if key[0] == "networkmap.key_figure.created")
    assert audited == sum(created) == 6  # one per key figure written (the dry run wrote none)
    assert sum(n for key, n in state["audit"].items() if key[0] == "networkmap.key_figure.updated") >= 2


def test_new_rows_are_written_in_a_bounded_number_of_statements(
    city_map, people, django_assert_max_num_queries
):
    rows = [
        row(
            f"Persoon{chr(65 + n % 26)}",
            f"Achter{chr(65 + n // 26)}",
            mobile=f"06111{n:05d}",
            communities="Ondernemers",
        )
        for n in range(120)
    ]
    official = people.official("utrecht")
    with django_assert_max_num_queries(40):  # row by row this is well over a thousand
        report = _import(csv_bytes(rows), official, bulk=True)

    assert (report.created, report.key_figures_created, report.error_count) == (120, 120, 0)
    assert (
        KeyFigure.objects.filter(nominated_by_municipality=True, communities=city_map["ondernemers"]).count()
        == 120
    )
    figures = set(KeyFigure.objects.values_list("pk", flat=True))
    audited = set(
        AuditEvent.objects.filter(action="networkmap.key_figure.created", actor=official).values_list(
            "object_id", flat=True
        )
    )
    assert {str(pk) for pk in figures} == audited  # one audit row per key figure, as row by row
    assert set(NominationEntry.objects.values_list("key_figure_id", flat=True)) == figures
