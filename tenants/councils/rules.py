"""The municipality's council rules (maatwerk), read by this app and by the signals app."""

from __future__ import annotations

from tenants.councils.models import CouncilRules


def current_rules() -> CouncilRules:
    """The rules of the current schema's municipality, created with the method's defaults on first use.

    Other apps (signals: ``signal_overdue_days``) read the rules only through here, so that
    the singleton and its defaults stay in one place.
    """
    rules = CouncilRules.objects.filter(singleton=True).first()
    if rules is None:
        rules, _ = CouncilRules.objects.get_or_create(singleton=True)
    return rules
