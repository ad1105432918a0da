"""Changing the municipality's council rules (maatwerk): they must add up, and every change is audited.

Only staff of the municipality change them. ``tenants.councils.rules.current_rules`` reads them.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction

from agora.accounts.actors import require_staff
from agora.audit.actions import record_action
from tenants.councils import errors
from tenants.councils.models import CouncilRules
from tenants.councils.rules import current_rules

# The editable rules, in the order the API and the admin show them.
RULE_FIELDS = (
    "max_size",
    "municipal_seats",
    "police_seats",
    "max_allies",
    "recommended_start_min",
    "recommended_start_max",
    "meeting_interval_weeks",
    "relationship_meetings",
    "signal_overdue_days",
    "stale_contact_months",
)

# Upper bounds per rule: beyond these the method no longer applies, and date arithmetic
# (months ago, weeks ahead) would leave the calendar.
RULE_MAXIMA = {
    "max_size": 50,
    "municipal_seats": 5,
    "police_seats": 5,
    "max_allies": 50,
    "recommended_start_min": 50,
    "recommended_start_max": 50,
    "meeting_interval_weeks": 52,
    "relationship_meetings": 52,
    "signal_overdue_days": 365,
    "stale_contact_months": 120,
}
_RULE_LABELS = {
    "max_size": ("de maximale omvang", "max_size"),
    "municipal_seats": ("het aantal gemeentezetels", "municipal_seats"),
    "police_seats": ("het aantal politiezetels", "police_seats"),
    "max_allies": ("het maximale aantal bondgenoten", "max_allies"),
    "recommended_start_min": ("het aanbevolen minimum bij de start", "recommended_start_min"),
    "recommended_start_max": ("het aanbevolen maximum bij de start", "recommended_start_max"),
    "meeting_interval_weeks": ("het aantal weken tussen bijeenkomsten", "meeting_interval_weeks"),
    "relationship_meetings": ("het aantal kennismakingsbijeenkomsten", "relationship_meetings"),
    "signal_overdue_days": ("het aantal dagen tot een signaal te laat is", "signal_overdue_days"),
    "stale_contact_months": ("het aantal maanden tot een relatie verwaterd is", "stale_contact_months"),
}


def _rules_invalid(nl: str, en: str, field_name: str | None = None):
    return errors.RULES_INVALID(
        reason_nl=nl, reason_en=en, fields={field_name: ["council_rules_invalid"]} if field_name else {}
    )


@transaction.atomic
def do_update_council_rules(changes: Mapping[str, int], *, acting_user) -> CouncilRules:
    """Change the municipality's council rules (staff); they must add up, and the change is audited."""
    require_staff(acting_user)
    rules = CouncilRules.objects.select_for_update().filter(pk=current_rules().pk).get()
    before = {name: getattr(rules, name) for name in RULE_FIELDS}
    for name, value in changes.items():
        if name not in RULE_FIELDS:
            continue
        setattr(rules, name, int(value))
    for name, maximum in RULE_MAXIMA.items():
        value = getattr(rules, name)
        if not 0 <= value <= maximum:
            label_nl, label_en = _RULE_LABELS[name]
            raise _rules_invalid(
                f"{label_nl} ligt tussen 0 en {maximum}.",
                f"{label_en} must be between 0 and {maximum}.",
                name,
            )
    if rules.recommended_start_min > rules.recommended_start_max:
        raise _rules_invalid(
            "het aanbevolen minimum bij de start is groter dan het maximum.",
            "recommended_start_min is greater than recommended_start_max.",
            "recommended_start_min",
        )
    if rules.recommended_start_max > rules.max_allies:
        raise _rules_invalid(
            "het aanbevolen maximum bij de start is groter dan het maximale aantal bondgenoten.",
            "recommended_start_max is greater than max_allies.",
            "recommended_start_max",
        )
    if rules.municipal_seats < 1 or rules.police_seats < 1:
        raise _rules_invalid(
            "de gemeente en de politie hebben elk ten minste één zetel nodig.",
            "the municipality and the police each need a seat.",
        )
    if rules.municipal_seats + rules.police_seats >= rules.max_size:
        raise _rules_invalid(
            "bij deze maximale omvang blijft er geen zetel over voor een bondgenoot.",
            "max_size leaves no seat for an ally.",
            "max_size",
        )
    if rules.meeting_interval_weeks < 1:
        raise _rules_invalid(
            "tussen twee bijeenkomsten ligt ten minste één week.",
            "meeting_interval_weeks must be at least 1.",
            "meeting_interval_weeks",
        )
    if rules.signal_overdue_days < 1 or rules.stale_contact_months < 1:
        raise _rules_invalid(
            "de termijnen voor signalen en verwaterde relaties zijn ten minste 1.",
            "signal_overdue_days and stale_contact_months must be at least 1.",
        )
    rules.updated_by = acting_user
    rules.save()
    after = {name: getattr(rules, name) for name in RULE_FIELDS}
    record_action(
        "councils.rules_updated",
        actor=acting_user,
        obj=rules,
        detail={"changed": {k: [before[k], after[k]] for k in RULE_FIELDS if before[k] != after[k]}},
    )
    return rules
