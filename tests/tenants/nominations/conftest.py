"""Fixtures of the nomination tests: a small map in Utrecht and list files built in memory."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from openpyxl import Workbook

from tenants.networkmap.models import CommunityKind
from tests.factories import CommunityFactory, NeighbourhoodFactory

HEADER_NL = [
    "Voornaam",
    "Tussenvoegsel",
    "Achternaam",
    "Mobiel",
    "E-mail",
    "Wijk",
    "Gemeenschappen",
    "Vertegenwoordigt",
    "Invloed",
    "Professionele organisatie",
]


@pytest.fixture
def city_map(in_utrecht) -> dict[str, object]:
    """Neighbourhoods and communities that the lists refer to (created inside Utrecht's schema)."""
    return {
        "kanaleneiland": NeighbourhoodFactory(name="Kanaleneiland", cbs_code="WK034409"),
        "overvecht": NeighbourhoodFactory(name="Overvecht"),
        "lombok": NeighbourhoodFactory(name="Lombok"),
        "turks": CommunityFactory(kind=CommunityKind.ORIGIN, name="Turkse gemeenschap"),
        "marokkaans": CommunityFactory(kind=CommunityKind.ORIGIN, name="Marokkaanse gemeenschap"),
        "moskee": CommunityFactory(kind=CommunityKind.RELIGIOUS, name="Ulu Moskee"),
        "ondernemers": CommunityFactory(kind=CommunityKind.GROUP, name="Ondernemers"),
    }


def csv_bytes(rows: list[list[str]], *, header=HEADER_NL, delimiter=";", encoding="utf-8-sig") -> bytes:
    """A CSV file as Excel writes it (quoted where needed, CRLF)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[object]], *, header=HEADER_NL, blank_rows_before: int = 0) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for _ in range(blank_rows_before):
        sheet.append([])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def row(
    first: str,
    last: str,
    *,
    infix: str = "",
    mobile: str = "",
    email: str = "",
    wijk: str = "",
    communities: str = "",
    represents: str = "",
    influence: str = "",
    professional: str = "nee",
) -> list[str]:
    return [first, infix, last, mobile, email, wijk, communities, represents, influence, professional]


@pytest.fixture
def make_csv() -> Callable[..., bytes]:
    return csv_bytes


@pytest.fixture
def make_xlsx() -> Callable[..., bytes]:
    return xlsx_bytes
