"""A nomination list at city scale: the bulk import path against the per-row path, in one run.

    python -m bench import                  # 10,000 rows, each path, 1 run
    python -m bench import --rows 200       # a smoke test
    python -m bench import --baseline-rows 2000   # time the slow per-row path on fewer rows

Works in a database of its own (``<name>_import_bench`` next to DATABASE_URL's, or the
embedded server's) with one municipality (``importstad``, 12 neighbourhoods, 8 communities)
kept between runs; its list tables are emptied (row by row, so the national read model's
triggers keep up) before every import. The file is generated: unique Dutch-looking names, a
mobile and an e-mail address each, a neighbourhood, one or two communities, and one row in 250
with a broken e-mail address (a row error). Each path imports the file into an empty list, then
the bulk path imports the same file again (idempotence: nothing may change). Both paths must
report the same counts; the bench fails otherwise.

Targets (issue 14): 10,000 rows in under 10 s on the bulk path, and at least 5x the per-row
path's rows per second measured in the same run.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import time

TARGET_SECONDS = 10.0
TARGET_RATIO = 5.0
SLUG = "importstad"
NEIGHBOURHOODS = [f"Wijk {n:02d}" for n in range(1, 13)]
COMMUNITIES = [
    ("origin", "Turkse gemeenschap"),
    ("origin", "Marokkaanse gemeenschap"),
    ("origin", "Surinaamse gemeenschap"),
    ("religious", "Ulu Moskee"),
    ("religious", "Sint-Willibrordparochie"),
    ("group", "Ondernemers"),
    ("group", "Jongeren"),
    ("group", "Boeren"),
]
FIRST = [
    "Ahmed",
    "Anna",
    "Bram",
    "Chaima",
    "Daan",
    "Emma",
    "Fatima",
    "Gijs",
    "Hasan",
    "Iris",
    "Jesse",
    "Kenza",
    "Lars",
    "Mila",
    "Noah",
    "Olga",
    "Pieter",
    "Quinten",
    "Rania",
    "Sanne",
    "Thijs",
    "Umut",
    "Vera",
    "Willem",
    "Yusuf",
    "Zeynep",
    "Bart",
    "Cor",
    "Dirk",
    "Esra",
    "Fleur",
    "Gerrit",
    "Hind",
    "Ilse",
    "Joost",
    "Karim",
    "Lotte",
    "Mehmet",
    "Nora",
    "Omar",
]
LAST = [
    "Jansen",
    "Vries",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "Mulder",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "Dekker",
    "Brouwer",
    "Dijkstra",
    "Koster",
    "Prins",
    "Huisman",
    "Yilmaz",
    "Kaya",
    "Demir",
    "Bouzid",
    "Amrani",
    "Elhadi",
    "Kuipers",
    "Post",
    "Veenstra",
    "Kramer",
    "Schouten",
    "Vermeulen",
    "Willems",
]


def csv_file(rows: int) -> bytes:
    """A list as Excel writes it (semicolons, UTF-8 with BOM): ``rows`` different people."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        ["Voornaam", "Achternaam", "Mobiel", "E-mail", "Wijk", "Gemeenschappen", "Vertegenwoordigt"]
    )
    for n in range(rows):
        first = FIRST[n % len(FIRST)]
        last = f"{LAST[(n // len(FIRST)) % len(LAST)]}-{_letters(n // (len(FIRST) * len(LAST)))}"
        email = f"p{n}@voorbeeld.nl" if n % 250 != 249 else f"p{n}@@kapot"
        communities = COMMUNITIES[n % len(COMMUNITIES)][1]
        if n % 3 == 0:
            communities += ", " + COMMUNITIES[(n + 3) % len(COMMUNITIES)][1]
        writer.writerow(
            [
                first,
                last,
                f"061{n:07d}",
                email,
                NEIGHBOURHOODS[n % len(NEIGHBOURHOODS)],
                communities,
                "buurtvereniging" if n % 5 == 0 else "",
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")


def _letters(n: int) -> str:
    """0 → "a", 25 → "z", 26 → "ba": a name part without digits."""
    out = ""
    while True:
        out = chr(ord("a") + n % 26) + out
        n //= 26
        if not n:
            return out.capitalize()


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def use_bench_database() -> None:
    """Point the default connection at ``<name>_import_bench`` (created when missing)."""
    from django.db import connections

    from agora.database import ensure_database

    config = connections["default"].settings_dict
    if not config["NAME"].endswith("_import_bench"):
        config["NAME"] = f"{config['NAME']}_import_bench"
    connections["default"].close()
    ensure_database(config)


def municipality():
    """The bench's municipality with its map (provisioned on the first run)."""
    from django_tenants.utils import schema_context

    from agora.geography.models import PoliceDistrict, PoliceUnit
    from agora.municipalities.models import Municipality
    from agora.municipalities.provisioning import provision_municipality
    from tenants.networkmap.models import Community, Neighbourhood

    found = Municipality.objects.filter(slug=SLUG).first()
    if found is None:
        unit, _ = PoliceUnit.objects.get_or_create(name="Bench-eenheid import")
        district, _ = PoliceDistrict.objects.get_or_create(unit=unit, name="Importdistrict")
        found = provision_municipality(name="Importstad", cbs_code="GM9901", district=district, slug=SLUG)
    with schema_context(found.schema_name):
        for name in NEIGHBOURHOODS:
            Neighbourhood.objects.get_or_create(name=name)
        for kind, name in COMMUNITIES:
            Community.objects.get_or_create(name=name, defaults={"kind": kind})
    return found


def empty_lists(schema: str) -> None:
    """Remove what the imports wrote: DELETE, not TRUNCATE, so row triggers keep the read model right."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        for table in (
            "nominations_nominationentry_communities",
            "nominations_nominationentry",
            "nominations_importrun",
            "networkmap_keyfigure_communities",
            "networkmap_keyfigure",
        ):
            cursor.execute(f'DELETE FROM "{schema}"."{table}"')


def timed_import(place, data: bytes, *, bulk: bool):
    from django_tenants.utils import tenant_context

    from tenants.nominations.importing import do_import_nominations

    with tenant_context(place):
        started = time.perf_counter()
        report = do_import_nominations(
            data, filename="lijst.csv", source="municipality", acting_user=None, bulk=bulk
        )
        return time.perf_counter() - started, report.counts()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench import", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--rows", type=int, default=10_000, help="rows in the bulk path's file (default 10000)"
    )
    parser.add_argument(
        "--baseline-rows", type=int, default=None, help="rows for the per-row path (default: --rows)"
    )
    args = parser.parse_args(argv)
    baseline_rows = args.baseline_rows or args.rows
    if args.rows < 1 or baseline_rows < 1:
        parser.error("--rows and --baseline-rows must be at least 1")

    from bench.run import _setup

    _setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, connections

    try:
        use_bench_database()
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        place = municipality()
        schema = place.schema_name
        big, small = csv_file(args.rows), csv_file(baseline_rows)

        empty_lists(schema)
        per_row_s, per_row_counts = timed_import(place, small, bulk=False)
        empty_lists(schema)
        bulk_small_s, bulk_small_counts = timed_import(place, small, bulk=True)
        if bulk_small_counts != per_row_counts:
            print(f"DIFFERENT OUTCOME: per-row {per_row_counts}, bulk {bulk_small_counts}")
            return 1
        if args.rows != baseline_rows:
            empty_lists(schema)
            bulk_s, bulk_counts = timed_import(place, big, bulk=True)
        else:
            bulk_s, bulk_counts = bulk_small_s, bulk_small_counts
        again_s, again_counts = timed_import(place, big, bulk=True)
        empty_lists(schema)
    finally:
        connections.close_all()
        if not settings.DATABASE_URL:
            from agora import embedded

            embedded.stop()

    per_row_rate, bulk_rate = baseline_rows / per_row_s, args.rows / bulk_s
    ratio = bulk_rate / per_row_rate
    print(f"Importing a nomination list (PostgreSQL {connection.pg_version // 10000}, one run each)")
    print()
    print(f"| {'path':<34} | {'rows':>6} | {'seconds':>8} | {'rows/s':>8} | outcome")
    print(f"| {'-' * 34} | {'-' * 5}:| {'-' * 7}:| {'-' * 7}:| -------")
    for label, rows, seconds, counts in (
        ("per-row (baseline)", baseline_rows, per_row_s, per_row_counts),
        ("bulk", args.rows, bulk_s, bulk_counts),
        ("bulk, same file again", args.rows, again_s, again_counts),
    ):
        outcome = ", ".join(
            f"{k} {v}" for k, v in counts.items() if k in ("created", "updated", "unchanged", "errors")
        )
        print(f"| {label:<34} | {rows:>6} | {seconds:>8.2f} | {rows / seconds:>8.0f} | {outcome}")
    print()
    under = bulk_s < TARGET_SECONDS * args.rows / 10_000
    limit = TARGET_SECONDS * args.rows / 10_000
    print(f"bulk {args.rows} rows in {bulk_s:.2f} s (target < {limit:.1f} s): {_verdict(under)}")
    print(
        f"bulk/per-row rows per second: {ratio:.1f}x (target >= {TARGET_RATIO:.0f}x): "
        f"{_verdict(ratio >= TARGET_RATIO)}"
    )
    if again_counts.get("created") or again_counts.get("updated"):
        print("IDEMPOTENCE BROKEN: the second import changed something")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
