"""The words the national pages show for the codes the read model returns.

The REST API and the CSV export keep the codes (other clients read them); a person reading a page
or a printed export reads these labels, in their language. A code without a label is shown as it
is, never dropped, so a new gap still appears (and the catalogue test asks for its words).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from agora.national.models import GrantLevel
from tenants.crises.models import CrisisKind

GAPS = {
    "communities_without_key_figure": _("Communities without key figure"),
    "communities_without_ally": _("Communities without ally"),
    "single_point_of_failure": _("Single points of failure"),
    "stale_relationships": _("Stale relationships"),
    "councils_overdue": _("Councils overdue"),
    "without_council": _("No council"),
    "lead_seat_empty": _("Lead seat empty"),
    "lead_without_mobile": _("Lead without a mobile number"),
    "deputy_seat_empty": _("Deputy seat empty"),
    "deputy_without_mobile": _("Deputy without a mobile number"),
}
ROLES = {
    "municipal_lead": _("Municipal lead"),
    "municipal_deputy": _("Municipal deputy"),
    "police_lead": _("Police lead"),
    "police_deputy": _("Police deputy"),
}
FIGURES = {
    "neighbourhoods": _("Neighbourhoods"),
    "communities": _("Communities"),
    "key_figures": _("Key figures"),
    "allies": _("Allies"),
    "councils": _("Councils"),
    "councils_active": _("Active councils"),
    "last_meeting": _("Last meeting"),
    "next_meeting": _("Next meeting"),
    "signals_raised": _("Signals raised"),
    "signals_open": _("Signals not closed"),
    "signals_overdue": _("Signals overdue"),
    "median_response_hours": _("Median response (hours)"),
    **GAPS,
}
KINDS = {
    "level": dict(GrantLevel.choices),
    "gap": GAPS,
    "role": ROLES,
    "figure": FIGURES,
    "crisis_kind": dict(CrisisKind.choices),
}


def label(kind: str, code: object) -> object:
    """The label of ``code`` among the ``kind`` codes; the code itself when it has none."""
    return KINDS[kind].get(str(code), code)
