"""Reading a list file (CSV or XLSX) into a header and rows numbered as a spreadsheet user sees them.

Municipal and police lists come out of Excel, LibreOffice, Outlook and registration systems, so
the reader is forgiving about the form (``;`` or ``,``, UTF-8 with or without BOM, Windows-1252)
and strict about the substance: something that is not a CSV or XLSX file, or has no rows, is
refused as a whole with a stable code before anything is written. Line numbers are spreadsheet
row numbers (header = 1), also when a quoted CSV cell spans several physical lines.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePath

from agora.errors import DomainError
from tenants.nominations.errors import FILE_EMPTY, FILE_TOO_LARGE, FILE_UNREADABLE, FILE_UNSUPPORTED
from tenants.nominations.models import FileFormat
from tenants.nominations.sheet_bounds import check_sheet_bounds

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
CSV_DELIMITERS = ";,\t"

_ZIP_MAGIC = b"PK\x03\x04"
_OTHER_MAGIC = {
    b"\xd0\xcf\x11\xe0": "an old Excel/Word file (.xls/.doc)",
    b"%PDF": "PDF",
    b"\x89PNG": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"GIF8": "GIF",
    b"\x1f\x8b": "gzip",
}
_TEXT_EXTENSIONS = {"", ".csv", ".txt", ".tsv"}


@dataclass
class Sheet:
    """The header and the data rows (line number, cells as text) of one list file."""

    file_format: FileFormat
    header: list[str]
    header_line: int
    rows: list[tuple[int, list[str]]] = field(default_factory=list)


def read_sheet(data: bytes, filename: str) -> Sheet:
    """Parse ``data`` as XLSX (by its zip signature) or CSV, or raise a ``nomination_file_*`` error."""
    if len(data) > MAX_FILE_BYTES:
        raise FILE_TOO_LARGE(limit=f"{MAX_FILE_BYTES // (1024 * 1024)} MB")
    if not data.strip():
        raise FILE_EMPTY()
    extension = PurePath(filename or "").suffix.lower()
    for magic, kind in _OTHER_MAGIC.items():
        if data.startswith(magic):
            raise FILE_UNSUPPORTED(kind=kind)
    if data.startswith(_ZIP_MAGIC):
        if extension not in {".xlsx", ".xlsm", ""}:
            raise FILE_UNSUPPORTED(kind=extension or "zip")
        sheet = _read_xlsx(data)
    else:
        if extension not in _TEXT_EXTENSIONS:
            raise FILE_UNSUPPORTED(kind=extension)
        sheet = _read_csv(data)
    if not sheet.rows:
        raise FILE_EMPTY()
    if len(sheet.rows) > MAX_ROWS:
        raise FILE_TOO_LARGE(limit=f"{MAX_ROWS} rows")
    return sheet


def decode_text(data: bytes) -> str:
    """UTF-8 (a BOM is dropped), else Windows-1252: what Excel on Dutch Windows writes."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as error:
        raise FILE_UNREADABLE(kind="CSV", reason="neither UTF-8 nor Windows-1252 text") from error


def _looks_binary(text: str) -> bool:
    """NUL bytes or many control characters: not a text file, whatever the extension says."""
    sample = text[:8192]
    if "\x00" in sample:
        return True
    control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t")
    return control > max(2, len(sample) // 100)


def _sniff_delimiter(text: str) -> str:
    """``;`` (Dutch Excel), ``,`` or tab: csv.Sniffer on a sample, checked against the header line."""
    header_line = next((line for line in text.splitlines() if line.strip()), "")
    try:
        delimiter = csv.Sniffer().sniff(text[:16384], delimiters=CSV_DELIMITERS).delimiter
    except csv.Error:
        delimiter = ""
    if delimiter and delimiter in header_line:
        return delimiter
    counts = {d: header_line.count(d) for d in CSV_DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv(data: bytes) -> Sheet:
    text = decode_text(data)
    if _looks_binary(text):
        raise FILE_UNREADABLE(kind="CSV", reason="the file contains binary data")
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    try:
        return _collect(FileFormat.CSV, enumerate(reader, start=1))
    except csv.Error as error:
        raise FILE_UNREADABLE(kind="CSV", reason=str(error)) from error


def _cell_text(value: object) -> str:
    """A spreadsheet cell as the text a person typed: 612345678.0 → "612345678", dates ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _read_xlsx(data: bytes) -> Sheet:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            # Declared and real extent, before openpyxl pads a sparse sheet to millions of rows.
            check_sheet_bounds(archive)
    except DomainError:
        raise
    except zipfile.BadZipFile as error:
        raise FILE_UNREADABLE(kind="Excel (.xlsx)", reason=str(error) or type(error).__name__) from error
    except Exception as error:  # broken XML, a forbidden entity, a corrupt stream: unreadable
        raise FILE_UNREADABLE(kind="Excel (.xlsx)", reason=type(error).__name__) from error
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise FILE_UNREADABLE(kind="Excel (.xlsx)", reason=str(error) or type(error).__name__) from error
    except Exception as error:  # openpyxl raises assorted errors on broken files
        raise FILE_UNREADABLE(kind="Excel (.xlsx)", reason=type(error).__name__) from error
    try:
        worksheet = workbook.worksheets[0] if workbook.worksheets else None
        if worksheet is None:
            raise FILE_EMPTY()

        # In read-only mode iter_rows starts at row 1 and fills gaps with empty rows, so the
        # position is the row number Excel shows.
        def rows() -> Iterator[tuple[int, list[str]]]:
            for line, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
                yield line, [_cell_text(v) for v in values]

        return _collect(FileFormat.XLSX, rows())
    finally:
        workbook.close()


def _collect(file_format: FileFormat, numbered: Iterator[tuple[int, list[str]]]) -> Sheet:
    """The first non-empty row is the header; blank rows are skipped but keep their number."""
    header: list[str] | None = None
    sheet: Sheet | None = None
    for line, cells in numbered:
        cells = [str(c).strip() for c in cells]
        if not any(cells):
            continue
        if header is None:
            header = cells
            while header and not header[-1]:
                header.pop()
            sheet = Sheet(file_format=file_format, header=header, header_line=line)
            continue
        assert sheet is not None
        sheet.rows.append((line, cells))
        if len(sheet.rows) > MAX_ROWS:
            break
    if sheet is None:
        raise FILE_EMPTY()
    return sheet
