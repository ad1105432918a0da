"""Every CSV or spreadsheet export neutralises formula cells, through the one helper.

Three guards, so that a new export cannot slip past:
- the source: ``csv.writer``/``csv.DictWriter`` or a workbook being written appear only in
  ``agora.spreadsheet_cells`` (and the allow-listed places below, none of them an export);
- the URLconfs (public and tenant hosts): every route that serves a spreadsheet (its path ends in
  ``.csv``/``.xlsx``/``.ods``/``.tsv``, or a renderer of its view produces such a type) must have a
  check in ``EXPORT_CHECKS``, and every check must still match a route;
- each check calls its export with hostile data stored directly (as older data or a direct write
  would hold it) and reads every cell back with the csv module: none starts with ``=``, ``+``,
  ``-`` or ``@``.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django_tenants.utils import tenant_context

from agora.spreadsheet_cells import csv_text, neutralise
from tests.platform.national.conftest import analyst, grant, national, public_api  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
SOURCE_DIRS = ("platform", "tenants", "api", "frontend", "realtime")
WRITERS = re.compile(r"\bcsv\.(?:writer|DictWriter)\(|\bWorkbook\(|xlsxwriter|\bodf\b")
ALLOWED_WRITERS = {
    "platform/agora/spreadsheet_cells.py": "the helper itself",
    "tenants/nominations/demo.py": "writes the demo's nomination lists to import (input, not an export)",
}
SPREADSHEET_SUFFIX = re.compile(r"\.(csv|tsv|xlsx|ods)(\$|\\Z)?$")
SPREADSHEET_TYPES = ("text/csv", "text/tab-separated-values", "spreadsheet", "excel")
HOSTILE = ('=HYPERLINK("http://x")', "+31 6 1234", "-1+1", "@SUM(A1)", "\t=1", "\r=1")


def _walk(patterns, prefix=""):
    for entry in patterns:
        text = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, text)
        elif isinstance(entry, URLPattern):
            yield text, entry


def _serves_a_spreadsheet(text: str, pattern: URLPattern) -> bool:
    if SPREADSHEET_SUFFIX.search(text):
        return True
    view = getattr(pattern.callback, "cls", None) or getattr(pattern.callback, "view_class", None)
    renderers = list(getattr(view, "renderer_classes", []) or [])
    for name in getattr(pattern.callback, "actions", {}).values() or ():
        renderers += getattr(getattr(view, name, None), "kwargs", {}).get("renderer_classes", [])
    return any(any(kind in (r.media_type or "") for kind in SPREADSHEET_TYPES) for r in renderers)


def export_routes() -> set[str]:
    found = set()
    for urlconf in ("agora.urls_public", "agora.urls_tenants"):
        for text, pattern in _walk(get_resolver(urlconf).url_patterns):
            if _serves_a_spreadsheet(text, pattern):
                found.add(f"{urlconf}:{text}")
    return found


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _assert_neutral(text: str) -> None:
    cells = _cells(text)
    assert cells, "the export is empty"
    dangerous = [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert not dangerous, dangerous


def check_national_district_csv(request) -> None:
    """The national district export, contacts level, with hostile names, titles and council names."""
    from tenants.councils.models import Council
    from tenants.networkmap.models import KeyFigure

    data = request.getfixturevalue("national")
    make_analyst, make_grant = request.getfixturevalue("analyst"), request.getfixturevalue("grant")
    client_for = request.getfixturevalue("public_api")
    zeist = data.municipalities["zeist"]
    with tenant_context(zeist):
        for pk, hostile in zip(data.ally_ids["zeist"], HOSTILE, strict=False):
            KeyFigure.objects.filter(pk=pk).update(first_name=hostile, last_name=hostile, email=hostile)
        Council.objects.update(name="=cmd|' /C calc'!A0")
    user = make_analyst()
    make_grant(user, district=zeist.district, level="contacts")
    response = client_for(user).get(f"/api/v1/national/districts/{zeist.district_id}/export.csv")
    assert response.status_code == 200, response.content[:300]
    body = response.content.decode()
    assert "'=HYPERLINK" in body and "'=cmd" in body, "the hostile rows are not in the export"
    _assert_neutral(body)


EXPORT_CHECKS = {
    "agora.urls_public:api/v1/national/districts/<str:district_id>/export.csv": check_national_district_csv,
}


def test_spreadsheets_are_written_only_by_the_helper():
    offenders = []
    for folder in SOURCE_DIRS:
        for path in (ROOT / folder).rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or "node_modules" in relative:
                continue
            if WRITERS.search(path.read_text(encoding="utf-8")) and relative not in ALLOWED_WRITERS:
                offenders.append(relative)
    assert not offenders, f"write exports through agora.spreadsheet_cells: {offenders}"
    assert all(reason.strip() for reason in ALLOWED_WRITERS.values())
    for relative in ALLOWED_WRITERS:
        assert (ROOT / relative).exists(), f"stale allow-list entry {relative}"


def test_every_export_route_has_a_check():
    routes = export_routes()
    assert routes, "no export found: the route walk is broken"
    assert routes == set(EXPORT_CHECKS), (
        f"new exports need a check here: {sorted(routes - set(EXPORT_CHECKS))}; "
        f"stale checks: {sorted(set(EXPORT_CHECKS) - routes)}"
    )


@pytest.mark.parametrize("route", sorted(EXPORT_CHECKS))
def test_every_export_neutralises_formula_cells(route, request):
    EXPORT_CHECKS[route](request)


def test_the_helper_neutralises_exactly_the_formula_prefixes():
    for dangerous in HOSTILE:
        assert neutralise(dangerous) == "'" + dangerous
    for harmless in ("Utrecht", "", "12", None, 3, " =1", "'=1", "a=b"):
        assert neutralise(harmless) == ("" if harmless is None else str(harmless))
    text = csv_text([["=1", "x"], [None, "@a"]])
    assert _cells(text) == ["'=1", "x", "", "'@a"]
