"""Retention: personal data the method no longer needs is anonymised after configurable periods.

Three rules (issue 13.6; the defaults and why in docs/security.md, "Retention"):

- a key figure **never selected** (not an ally, never seated on a council, no open selection
  case) untouched for ``AGORA_RETENTION_UNSELECTED_DAYS``;
- an **inactive ally** (no council seat for ``AGORA_RETENTION_INACTIVE_ALLY_DAYS`` and no
  contact in that time);
- a **closed crisis** after ``AGORA_RETENTION_CLOSED_CRISIS_DAYS``: its title, summary and log
  payloads (free text: messages, names) are cleared; numbers, kinds and times stay, so that the
  crisis still counts in council health and response-time figures.

Rows are anonymised, not deleted: councils, selection history and the crisis log keep their ids
(and their append-only history its shape), but nothing in them names the person any more. The
run is itself logged (``privacy.retention_applied``, ids only). ``agora manage apply_retention``
runs it for every municipality; schedule it daily (cron, a systemd timer or a Kubernetes
CronJob). ``now`` is a parameter so that tests move the clock instead of sleeping.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from agora.audit.actions import record_action
from tenants.councils.models import CouncilMember
from tenants.crises.models import Crisis, CrisisEvent, CrisisStatus, RoomVisit
from tenants.networkmap.models import KeyFigure
from tenants.nominations.models import NominationEntry
from tenants.selection.models import SelectionCase
from tenants.selection.workflow import CLOSED_STATES

# The first name of an anonymised key figure: the marker that it was done (and is not redone).
ANONYMISED = "[geanonimiseerd]"


def _days(name: str, default: int) -> dt.timedelta:
    return dt.timedelta(days=int(getattr(settings, name, default)))


@dataclass
class RetentionReport:
    """What one run anonymised in one municipality (ids only)."""

    never_selected: list[int] = field(default_factory=list)
    inactive_allies: list[int] = field(default_factory=list)
    closed_crises: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.never_selected) + len(self.inactive_allies) + len(self.closed_crises)


def anonymise_key_figure(key_figure: KeyFigure) -> None:
    """Remove what names or reaches the person; ids (and the history that points at them) stay.

    The contact moments' notes describe the person: they go. The login is unlinked (the user
    account lives in the public schema and is ended through its own action).
    """
    KeyFigure.objects.filter(pk=key_figure.pk).update(
        first_name=ANONYMISED,
        infix="",
        last_name=f"#{key_figure.pk}",
        mobile="",
        email="",
        represents="",
        residence_cbs_code="",
        user=None,
        last_contact_on=None,
    )
    key_figure.communities.clear()
    key_figure.contacts.all().delete()
    # The nomination lists held the same person as imported (names, numbers, the raw row).
    entries = NominationEntry.objects.filter(key_figure=key_figure)
    for entry in entries:
        entry.communities.clear()
    entries.update(
        first_name=ANONYMISED,
        infix="",
        last_name=f"#{key_figure.pk}",
        mobile="",
        email="",
        represents="",
        influence_notes="",
        raw_row={},
        name_key="",
    )


def anonymise_crisis(crisis: Crisis) -> None:
    """Clear a closed crisis's free text; the log keeps seq, kind and time (it stays gapless)."""
    Crisis.objects.filter(pk=crisis.pk).update(title=f"#{crisis.pk}", summary="")
    CrisisEvent.objects.filter(crisis=crisis).update(payload={"anonymised": True})
    RoomVisit.objects.filter(crisis=crisis).delete()


def _stale(now: dt.datetime, days: dt.timedelta):
    cutoff = now - days
    return Q(updated_at__lt=cutoff) & (Q(last_contact_on__isnull=True) | Q(last_contact_on__lt=cutoff.date()))


@transaction.atomic
def apply_retention(*, now: dt.datetime | None = None, dry_run: bool = False) -> RetentionReport:
    """Anonymise what is past its period in the current municipality (run inside its schema)."""
    now = now or timezone.now()
    report = RetentionReport()
    seated = CouncilMember.objects.filter(key_figure=OuterRef("pk"))
    open_case = SelectionCase.objects.filter(key_figure=OuterRef("pk")).exclude(
        state__in=sorted(CLOSED_STATES)
    )
    people = KeyFigure.objects.exclude(first_name=ANONYMISED)

    unselected_days = _days("AGORA_RETENTION_UNSELECTED_DAYS", 730)
    never_selected = (
        people.filter(is_ally=False)
        .filter(_stale(now, unselected_days), created_at__lt=now - unselected_days)
        .exclude(Exists(seated))
        .exclude(Exists(open_case))
    )
    ally_days = _days("AGORA_RETENTION_INACTIVE_ALLY_DAYS", 730)
    recent_seat = CouncilMember.objects.filter(key_figure=OuterRef("pk")).filter(
        Q(left_on__isnull=True) | Q(left_on__gte=(now - ally_days).date())
    )
    inactive_allies = people.filter(is_ally=True).filter(_stale(now, ally_days)).exclude(Exists(recent_seat))
    crisis_days = _days("AGORA_RETENTION_CLOSED_CRISIS_DAYS", 730)
    closed_crises = Crisis.objects.filter(
        status=CrisisStatus.CLOSED, closed_at__lt=now - crisis_days
    ).exclude(title__startswith="#", summary="")

    for figure in never_selected.select_for_update(of=("self",)).order_by("pk"):
        report.never_selected.append(figure.pk)
        if not dry_run:
            anonymise_key_figure(figure)
    for figure in inactive_allies.select_for_update(of=("self",)).order_by("pk"):
        report.inactive_allies.append(figure.pk)
        if not dry_run:
            anonymise_key_figure(figure)
    for crisis in closed_crises.select_for_update().order_by("pk"):
        report.closed_crises.append(crisis.pk)
        if not dry_run:
            anonymise_crisis(crisis)
    if report.total and not dry_run:
        record_action(
            "privacy.retention_applied",
            detail={
                "never_selected": report.never_selected,
                "inactive_allies": report.inactive_allies,
                "closed_crises": report.closed_crises,
            },
        )
    return report
