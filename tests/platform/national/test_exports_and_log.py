"""Exports: neutralised cells, contacts only under contacts, every person read in the access log."""

from __future__ import annotations

import csv
import io

from django_tenants.utils import tenant_context

from agora.audit.models import PersonRecordRead
from agora.spreadsheet_cells import neutralise


def test_neutralise() -> None:
    for dangerous in ("=1+1", "+31612345678", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(dangerous) == "'" + dangerous
    for harmless in ("Utrecht", "", "12", None, 3):
        assert neutralise(harmless) == ("" if harmless is None else str(harmless))


def test_csv_cells_are_neutralised_and_contacts_logged(national, analyst, grant, public_api) -> None:
    from tenants.networkmap.models import KeyFigure

    zeist = national.municipalities["zeist"]
    with tenant_context(zeist):
        KeyFigure.objects.filter(pk=national.ally_ids["zeist"][0]).update(first_name='=HYPERLINK("x")')
    user = analyst()
    grant(user, district=zeist.district, level="contacts")
    response = public_api(user).get(f"/api/v1/national/districts/{zeist.district_id}/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    cells = [cell for row in csv.reader(io.StringIO(response.content.decode())) for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]
    assert any(c.startswith("'=HYPERLINK") for c in cells)
    body = response.content.decode()
    assert [s for s in national.secrets if s in body], "a contacts export shows people"
    reads = PersonRecordRead.objects.filter(actor=user)
    assert set(reads.values_list("municipality_id", flat=True)) == {zeist.pk}
    assert {
        r for r in reads.filter(record_type="networkmap.KeyFigure").values_list("record_id", flat=True)
    } == {str(pk) for pk in national.ally_ids["zeist"]}
    assert {
        r for r in reads.filter(record_type="accounts.Membership").values_list("record_id", flat=True)
    } == {str(pk) for pk in national.lead_membership_ids["zeist"]}


def test_summary_reads_log_nothing_and_show_nobody(national, analyst, grant, public_api) -> None:
    zeist = national.municipalities["zeist"]
    user = analyst()
    grant(user, district=zeist.district, level="summary")
    client = public_api(user)
    base = f"/api/v1/national/districts/{zeist.district_id}/"
    for url in (base, base + "export.csv", base + "export.html", base + f"municipalities/{zeist.pk}/"):
        response = client.get(url)
        assert response.status_code == 200
        assert not [s for s in national.secrets if s in response.content.decode()]
    assert not PersonRecordRead.objects.filter(actor=user).exists()


def test_print_page_is_escaped_html(national, analyst, grant, public_api) -> None:
    from tenants.networkmap.models import Community

    zeist = national.municipalities["zeist"]
    with tenant_context(zeist):
        Community.objects.filter(name="Kerk").update(name="<script>alert(1)</script>")
    user = analyst()
    grant(user, district=zeist.district, level="contacts")
    response = public_api(user).get(f"/api/v1/national/districts/{zeist.district_id}/export.html")
    assert response.status_code == 200
    assert "<script>" not in response.content.decode()
    assert "@page" in response.content.decode()
