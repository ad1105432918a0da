"""The hard rules on the person who is, or is about to become, an ally (METHOD.md step 2).

One place for the rules, used by every writer that could break them: the selection pipeline
(opening a case, review, approval, decision, re-activation) and other apps that change a key
figure's flags or merge records into one (nomination import, matching):

- a representative of a professional organisation cannot be an ally;
- an ally lives in the municipality they serve (no council across the municipal boundary).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agora.accounts.actors import current_municipality
from tenants.selection import errors

if TYPE_CHECKING:
    from tenants.networkmap.models import KeyFigure


def check_ally_invariants(key_figure: KeyFigure) -> None:
    """Refuse a key figure who is (or is about to be) an ally and breaks a hard rule.

    Checks the key figure *as given* (pass the changed, unsaved instance to check a change before
    writing it). Raises ``errors.PROFESSIONAL_REPRESENTATIVE`` or
    ``errors.LIVES_OUTSIDE_MUNICIPALITY`` (both 409); returns ``None`` when the rules hold.
    """
    if key_figure.is_professional_representative:
        raise errors.PROFESSIONAL_REPRESENTATIVE()
    municipality = current_municipality()
    residence = (key_figure.residence_cbs_code or "").strip().upper()
    if residence and (municipality is None or residence != municipality.cbs_code.upper()):
        raise errors.LIVES_OUTSIDE_MUNICIPALITY(
            municipality=getattr(municipality, "name", "?"), residence=residence
        )
