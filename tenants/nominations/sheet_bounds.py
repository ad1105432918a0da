"""How far an XLSX file's first sheet reaches, read from its XML before openpyxl iterates it.

openpyxl's read-only reader fills every gap: one cell at row 1,048,576, column 100 (a 4.9 KB
file) makes ``iter_rows`` produce a million padded rows, about 12 s of one worker; a sheet whose
``<dimension ref="A1:XFD…">`` claims more columns pads every row to that width. So the first
sheet's size is checked twice before anything is iterated, in one streaming pass over its XML:

- the *declared* size, the ``<dimension ref="…">`` element (which openpyxl trusts for padding);
- the *real* size, the highest ``r="…"`` row and cell reference (and the number of ``<row>``
  elements, which may omit ``r``), since the declaration may lie either way.

Either beyond :data:`MAX_SHEET_ROWS` by :data:`MAX_SHEET_COLUMNS` is refused with
``nomination_sheet_too_large``. The sheet's XML is read with a cap on its unpacked size (a zip
bomb stops at the cap, whatever the zip directory declares). The workbook's own small XML files
are parsed with defusedxml (no entities, no external references).
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass

from defusedxml import ElementTree

from tenants.nominations.errors import FILE_UNREADABLE, SHEET_TOO_LARGE

# A list has a header and at most reading.MAX_ROWS data rows; blank rows and a title above the
# header leave some slack. No municipal or police list has more than a few dozen columns.
MAX_SHEET_ROWS = 20_000 + 1_000
MAX_SHEET_COLUMNS = 64
MAX_SHEET_XML_BYTES = 128 * 1024 * 1024
_CHUNK = 1024 * 1024
_OVERLAP = 512  # longer than any start tag this scan matches

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"

_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\bref="([^"]*)"')
_ROW = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
_CELL_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Za-z]{1,4})([0-9]{1,9})"')
_ROW_NUMBER = re.compile(rb'\br="([0-9]{1,9})"')
_A1 = re.compile(r"\$?([A-Za-z]{1,4})\$?([0-9]{1,9})")


@dataclass(frozen=True)
class SheetSize:
    """Rows and columns of a sheet: the declared and the real extent."""

    declared_rows: int
    declared_columns: int
    rows: int
    columns: int


def column_number(letters: str | bytes) -> int:
    """``"A"`` → 1, ``"CV"`` → 100, ``"XFD"`` → 16384."""
    if isinstance(letters, bytes):
        letters = letters.decode("ascii")
    number = 0
    for char in letters.upper():
        number = number * 26 + ord(char) - 64
    return number


def _declared(ref: bytes) -> tuple[int, int]:
    """The lower-right corner of a ``dimension`` ref (``"A1:CV1048576"``, or one cell ``"A1"``)."""
    corner = ref.decode("ascii", "replace").split(":")[-1]
    match = _A1.fullmatch(corner.strip())
    if not match:
        return 0, 0
    return int(match[2]), column_number(match[1])


def first_sheet_path(archive: zipfile.ZipFile) -> str:
    """The part name of the workbook's first sheet (the one openpyxl's ``worksheets[0]`` reads)."""
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except KeyError as error:
        raise FILE_UNREADABLE(kind="Excel (.xlsx)", reason="no workbook in the file") from error
    sheets = workbook.find(f"{_NS_MAIN}sheets")
    first = sheets[0] if sheets is not None and len(sheets) else None
    if first is None:
        raise FILE_UNREADABLE(kind="Excel (.xlsx)", reason="the workbook has no sheets")
    rel_id = first.get(f"{_NS_REL}id")
    for relation in relations.iter(f"{_NS_PKG_REL}Relationship"):
        if relation.get("Id") == rel_id:
            target = relation.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
            return posixpath.normpath(path)
    raise FILE_UNREADABLE(kind="Excel (.xlsx)", reason="the first sheet is missing")


def measure_sheet(archive: zipfile.ZipFile, path: str) -> SheetSize:
    """One streaming pass over the sheet's XML: declared and real rows and columns."""
    declared_rows = declared_columns = rows = columns = row_elements = 0
    seen_dimension = False
    unpacked = 0
    tail = b""
    try:
        stream = archive.open(path)
    except KeyError as error:
        raise FILE_UNREADABLE(kind="Excel (.xlsx)", reason="the first sheet is missing") from error
    with stream:
        while chunk := stream.read(_CHUNK):
            unpacked += len(chunk)
            if unpacked > MAX_SHEET_XML_BYTES:
                raise SHEET_TOO_LARGE(
                    rows="?", columns="?", max_rows=MAX_SHEET_ROWS, max_columns=MAX_SHEET_COLUMNS
                )
            text = tail + chunk
            # Matches that end in the overlap are seen again with the next chunk; count rows only
            # in the part that will not be re-read.
            cut = max(0, len(text) - _OVERLAP)
            if not seen_dimension and (found := _DIMENSION.search(text)):
                declared_rows, declared_columns = _declared(found[1])
                seen_dimension = True
            for match in _ROW.finditer(text):
                if match.start() < cut:
                    row_elements += 1
                    if number := _ROW_NUMBER.search(match[1]):
                        rows = max(rows, int(number[1]))
            for match in _CELL_REF.finditer(text):
                columns = max(columns, column_number(match[1]))
                rows = max(rows, int(match[2]))
            tail = text[cut:]
    # The last overlap was only partly counted: count its row elements now.
    for match in _ROW.finditer(tail):
        row_elements += 1
        if number := _ROW_NUMBER.search(match[1]):
            rows = max(rows, int(number[1]))
    return SheetSize(declared_rows, declared_columns, max(rows, row_elements), columns)


def check_sheet_bounds(archive: zipfile.ZipFile) -> SheetSize:
    """Refuse a first sheet that declares or holds more than the limits; else its size."""
    size = measure_sheet(archive, first_sheet_path(archive))
    rows = max(size.declared_rows, size.rows)
    columns = max(size.declared_columns, size.columns)
    if rows > MAX_SHEET_ROWS or columns > MAX_SHEET_COLUMNS:
        raise SHEET_TOO_LARGE(
            rows=rows, columns=columns, max_rows=MAX_SHEET_ROWS, max_columns=MAX_SHEET_COLUMNS
        )
    return size
