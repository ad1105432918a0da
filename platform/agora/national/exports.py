"""One district as CSV or as a print-ready HTML page: the same grant checks and access logging.

Built from ``agora.national.queries`` (no second way of counting). Contacts appear only under a
``contacts`` grant, and reading them for the export is logged like any other read. Every CSV
cell that a spreadsheet would run as a formula is neutralised by ``agora.spreadsheet_cells``.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from agora.national import queries
from agora.national.access import access_district_by_id, granted_scope
from agora.national.schemas import national_read, tenants_of
from agora.spreadsheet_cells import csv_text

FIGURE_COLUMNS = (
    ("neighbourhoods", lambda m: m["totals"]["neighbourhoods"]),
    ("communities", lambda m: m["totals"]["communities"]),
    ("key_figures", lambda m: m["totals"]["key_figures"]),
    ("allies", lambda m: m["totals"]["allies"]),
    ("communities_without_key_figure", lambda m: m["gaps"]["communities_without_key_figure"]),
    ("communities_without_ally", lambda m: m["gaps"]["communities_without_ally"]),
    ("single_point_of_failure", lambda m: m["gaps"]["single_point_of_failure"]),
    ("stale_relationships", lambda m: m["gaps"]["stale_relationships"]),
    ("councils", lambda m: m["councils"]["count"]),
    ("councils_active", lambda m: m["councils"]["active"]),
    ("councils_overdue", lambda m: m["councils"]["overdue"]),
    ("last_meeting", lambda m: m["councils"]["last_held_at"] or ""),
    ("next_meeting", lambda m: m["councils"]["next_planned_at"] or ""),
    ("signals_raised", lambda m: m["signals"]["raised"]),
    ("signals_open", lambda m: m["signals"]["open"]),
    ("signals_overdue", lambda m: m["signals"]["overdue"]),
    ("median_response_hours", lambda m: m["signals"]["median_response_hours"] or ""),
)
CONTACT_COLUMNS = ("record", "municipality", "council", "role", "name", "mobile", "email")


@national_read()
def district_export(user: Any, district_id: Any) -> dict[str, Any]:
    """The district's figures per municipality, and (``contacts`` only) its leads and allies, logged."""
    scope = granted_scope(user)
    district = access_district_by_id(user, district_id, scope=scope)
    tenants = tenants_of([district.pk])
    figures = queries.read_figures(tenants)
    municipalities = [queries.municipality_summary(t, figures) for t in tenants]
    data = queries.district_summary(district, scope.levels[district.pk], municipalities, figures)
    data["municipalities"] = municipalities
    data["generated_at"] = timezone.now()
    if scope.shows_contacts(district.pk):
        councils = [c for t in tenants for c in figures.councils.get(t.municipality_id, [])]
        contacts = queries.read_contacts(
            user, figures.contexts, councils, purpose="national view: district export"
        )
        names = {t.municipality_id: t.name for t in tenants}
        for row in contacts["council_leads"] + contacts["allies"]:
            row["municipality"] = names.get(row["municipality_id"], "")
        data["contacts"] = contacts
    return data


def district_csv(user: Any, district_id: Any) -> str:
    """The district's figures, then (``contacts`` only) its leads and allies; every cell neutralised."""
    data = district_export(user, district_id)
    rows: list[list[Any]] = [["district", "municipality", "cbs_code", *(name for name, _ in FIGURE_COLUMNS)]]
    for municipality in data["municipalities"]:
        rows.append(
            [
                data["name"],
                municipality["name"],
                municipality["cbs_code"],
                *(read(municipality) for _, read in FIGURE_COLUMNS),
            ]
        )
    if "contacts" in data:
        rows.append([])
        rows.append(list(CONTACT_COLUMNS))
        for lead in data["contacts"]["council_leads"]:
            rows.append(
                [
                    "council_lead",
                    lead["municipality"],
                    lead["council"],
                    lead["role"],
                    lead["name"],
                    lead["mobile"],
                    lead["email"],
                ]
            )
        for ally in data["contacts"]["allies"]:
            rows.append(["ally", ally["municipality"], "", "", ally["name"], ally["mobile"], ally["email"]])
    return csv_text(rows)


def district_html(user: Any, district_id: Any, *, request=None) -> str:
    data = district_export(user, district_id)
    rows = [
        (m["name"], m["cbs_code"], [read(m) for _, read in FIGURE_COLUMNS]) for m in data["municipalities"]
    ]
    return render_to_string(
        "national/export.html",
        {"district": data, "columns": [name for name, _ in FIGURE_COLUMNS], "rows": rows},
        request=request,
    )
