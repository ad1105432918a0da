"""Cells that a spreadsheet opens as data, never as a formula: the one helper of every export.

A CSV or spreadsheet export of names and notes is opened in Excel or LibreOffice by people with
access to everything else on their desktop. A cell starting with ``=``, ``+``, ``-`` or ``@`` (or
a tab or carriage return, which some spreadsheets skip before looking) is run as a formula there
(CSV injection: ``=HYPERLINK(...)`` leaking the sheet, ``=cmd|...`` on old Excel). Every such
cell gets a leading apostrophe, which spreadsheets show as text and do not display.

Every export writes its rows through :func:`csv_text` (or :func:`neutralise` for another
format); ``tests/security/test_exports_neutralise_formulas.py`` walks every export route and
refuses a ``csv.writer`` or a workbook written anywhere else in the source.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> str:
    """A cell as text that no spreadsheet evaluates (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_text(rows: Iterable[Iterable[Any]]) -> str:
    """The rows as CSV (RFC 4180 quoting), every cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([neutralise(value) for value in row])
    return out.getvalue()
