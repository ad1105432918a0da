"""Sparse or lying XLSX files are refused by their size before openpyxl iterates them.

The attack: a 4.9 KB workbook with one cell at row 1,048,576, column 100 tied a worker for 12 s
(openpyxl's read-only reader pads every empty row); a ``<dimension>`` that claims a huge range
pads every row to that width. Both the declared and the real extent are checked, fast.
"""

from __future__ import annotations

import io
import re
import time
import zipfile

import pytest

from tenants.nominations import reading
from tenants.nominations.reading import read_sheet
from tenants.nominations.sheet_bounds import MAX_SHEET_COLUMNS, MAX_SHEET_ROWS, column_number
from tests.helpers import assert_raises_code
from tests.tenants.nominations.conftest import row, xlsx_bytes


def _rewrite_sheet(data: bytes, change) -> bytes:
    """The same workbook with its first sheet's XML passed through ``change``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = change(content)
            target.writestr(item, content)
    return out.getvalue()


def _one_far_cell(row_number: int, column_letters: str, *, declare: str | None = None) -> bytes:
    """A real workbook plus one cell at (row, column); ``declare`` overrides the dimension ref."""
    base = xlsx_bytes([row("Jan", "Berg")])
    ref = f"{column_letters}{row_number}"
    # The declared corner covers the header's ten columns too (as Excel would write it).
    corner = f"{column_letters if column_number(column_letters) >= 10 else 'J'}{row_number}"

    def change(xml: bytes) -> bytes:
        far = f'<row r="{row_number}"><c r="{ref}" t="inlineStr"><is><t>x</t></is></c></row>'.encode()
        xml = xml.replace(b"</sheetData>", far + b"</sheetData>")
        return re.sub(
            rb'<dimension ref="[^"]*"', f'<dimension ref="{declare or "A1:" + corner}"'.encode(), xml
        )

    return _rewrite_sheet(base, change)


def _timed_refusal(data: bytes) -> float:
    started = time.perf_counter()
    with assert_raises_code("nomination_sheet_too_large", status=400):
        read_sheet(data, "lijst.xlsx")
    return time.perf_counter() - started


def test_the_attack_file_is_small_and_refused_in_well_under_a_second():
    data = _one_far_cell(1_048_576, "CV")
    assert column_number("CV") == 100
    assert len(data) < 10_000, len(data)
    assert _timed_refusal(data) < 0.5


def test_a_lying_dimension_does_not_hide_the_real_extent():
    """The dimension claims A1:J2; the one far cell says otherwise."""
    data = _one_far_cell(1_048_576, "CV", declare="A1:J2")
    assert _timed_refusal(data) < 0.5


def test_a_declared_extent_alone_is_refused():
    """Real cells fit, but openpyxl would pad every row to the declared 16,384 columns."""
    base = xlsx_bytes([row("Jan", "Berg")])
    data = _rewrite_sheet(
        base, lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD2"', xml)
    )
    assert _timed_refusal(data) < 0.5


def test_rows_without_numbers_count_too():
    """``<row>`` elements may omit ``r``: they are counted, not believed absent."""
    base = xlsx_bytes([row("Jan", "Berg")])
    many = b"<row/>" * (MAX_SHEET_ROWS + 10)
    data = _rewrite_sheet(base, lambda xml: xml.replace(b"</sheetData>", many + b"</sheetData>"))
    assert _timed_refusal(data) < 2.0


@pytest.mark.parametrize(
    ("row_number", "letters", "refused"),
    [
        (MAX_SHEET_ROWS, "A", False),
        (MAX_SHEET_ROWS + 1, "A", True),
        (2, "BL", False),  # column 64
        (2, "BM", True),  # column 65
    ],
)
def test_the_limits_are_exact(row_number, letters, refused):
    assert column_number("BL") == MAX_SHEET_COLUMNS
    data = _one_far_cell(row_number, letters)
    if refused:
        _timed_refusal(data)
    else:
        sheet = read_sheet(data, "lijst.xlsx")
        assert sheet.rows[0][1][:3] == ["Jan", "", "Berg"]


def test_an_unpacked_size_beyond_the_cap_is_refused(monkeypatch):
    """A zip bomb stops at the cap on the sheet's unpacked XML, whatever the directory says."""
    monkeypatch.setattr("tenants.nominations.sheet_bounds.MAX_SHEET_XML_BYTES", 10_000)
    base = xlsx_bytes([row("Jan", "Berg")])
    padding = b"<!--" + b" " * 50_000 + b"-->"
    data = _rewrite_sheet(base, lambda xml: xml.replace(b"<sheetData>", padding + b"<sheetData>"))
    with assert_raises_code("nomination_sheet_too_large"):
        read_sheet(data, "lijst.xlsx")


def test_entities_in_the_workbook_are_refused_as_unreadable():
    """defusedxml: a DOCTYPE with entities (billion laughs, XXE) in workbook.xml is not expanded."""
    base = xlsx_bytes([row("Jan", "Berg")])
    source = zipfile.ZipFile(io.BytesIO(base))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/workbook.xml":
                doctype = b'<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
                if content.startswith(b"<?xml"):
                    end = content.index(b"?>") + 2
                    content = content[:end] + doctype + content[end:]
                else:
                    content = doctype + content
                assert doctype in content
            target.writestr(item, content)
    with assert_raises_code("nomination_file_unreadable"):
        read_sheet(out.getvalue(), "lijst.xlsx")


def test_openpyxl_parses_with_defusedxml():
    """openpyxl switches to defusedxml when it is installed; the project depends on it."""
    from openpyxl import DEFUSEDXML

    assert DEFUSEDXML is True
    assert reading.MAX_ROWS < MAX_SHEET_ROWS
