"""Subject access and erasure of one key figure or ally (GDPR art. 15 and 17; issue 13.5).

:func:`export_person` gathers everything this municipality holds about one person: the record,
their communities, contact moments, nomination entries, selection cases with their history,
council seats, the signals they raised, their crisis convocations, and who read their record
(the access log). Nothing about anyone else: other people appear as ids only (who acted), never
with their names. The export is itself a person read (purpose ``subject_access``).

:func:`do_erase_person` anonymises the person everywhere in the tenant: the record and the
nomination entries (:func:`tenants.networkmap.retention.anonymise_key_figure`), the signals they
raised (description, answers and status notes), the crisis log's messages they wrote or that
name them (``author`` or the convocation). History rows keep their ids and times, so the
append-only history keeps its shape; only what names the person goes. The erasure is logged
(``privacy.person_erased``, ids only). Officials only: the municipality is the controller.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from agora.accounts.actors import current_municipality, require_role
from agora.accounts.roles import Role
from agora.audit.actions import log_person_read, record_action
from agora.audit.models import PersonRecordRead
from tenants.councils.models import CouncilMember
from tenants.crises.models import Convocation, CrisisEvent
from tenants.networkmap import errors
from tenants.networkmap.models import KeyFigure
from tenants.networkmap.retention import anonymise_key_figure
from tenants.nominations.models import NominationEntry
from tenants.selection.models import Approval, HomeVisit, SelectionCase, Transition
from tenants.signals.models import Signal, SignalAnswer, SignalStatusChange

ERASED_TEXT = "[gewist]"
HOME_VISIT_QUESTIONS = ("inclusive", "open_to_society", "wants_to_connect", "helps_with_conflicts")


def require_official(user: Any) -> None:
    """Officials of this municipality only: the municipality is the controller of this data."""
    require_role(user, {Role.OFFICIAL}, error=errors.SUBJECT_ACCESS_OFFICIALS_ONLY)


def _date(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def export_person(key_figure_id: int, *, acting_user: Any) -> dict[str, Any]:
    """Everything held about one person in this municipality, plus who read it."""
    require_official(acting_user)
    figure = KeyFigure.objects.get(pk=key_figure_id)
    log_person_read(actor=acting_user, obj=figure, purpose="subject_access")
    signals = Signal.objects.filter(ally=figure).order_by("raised_at", "pk")
    return {
        "record": {
            "id": figure.pk,
            "first_name": figure.first_name,
            "infix": figure.infix,
            "last_name": figure.last_name,
            "mobile": figure.mobile,
            "email": figure.email,
            "neighbourhood_id": figure.neighbourhood_id,
            "residence_cbs_code": figure.residence_cbs_code,
            "represents": figure.represents,
            "is_ally": figure.is_ally,
            "is_professional_representative": figure.is_professional_representative,
            "nominated_by_municipality": figure.nominated_by_municipality,
            "nominated_by_police": figure.nominated_by_police,
            "last_contact_on": _date(figure.last_contact_on),
            "created_at": _date(figure.created_at),
            "communities": sorted(figure.communities.values_list("name", flat=True)),
        },
        "contact_moments": [
            {"date": _date(c.date), "kind": c.kind, "note": c.note, "follow_up_on": _date(c.follow_up_on)}
            for c in figure.contacts.order_by("date", "pk")
        ],
        "nominations": [
            {
                "source": e.source,
                "first_name": e.first_name,
                "infix": e.infix,
                "last_name": e.last_name,
                "mobile": e.mobile,
                "email": e.email,
                "represents": e.represents,
                "influence_notes": e.influence_notes,
                "created_at": _date(e.created_at),
            }
            for e in NominationEntry.objects.filter(key_figure=figure).order_by("pk")
        ],
        "selection_cases": [
            {
                "id": case.pk,
                "state": case.state,
                "opened_at": _date(case.opened_at),
                "transitions": list(
                    case.transitions.order_by("pk").values("from_state", "to_state", "reason")
                ),
            }
            for case in SelectionCase.objects.filter(key_figure=figure).order_by("pk")
        ],
        "council_seats": [
            {"council_id": s.council_id, "joined_on": _date(s.joined_on), "left_on": _date(s.left_on)}
            for s in CouncilMember.objects.filter(key_figure=figure).order_by("pk")
        ],
        "signals": [
            {
                "id": s.pk,
                "category": s.category,
                "status": s.status,
                "raised_at": _date(s.raised_at),
                "description": s.description,
                "answers": list(s.answers.order_by("pk").values_list("body", flat=True)),
            }
            for s in signals
        ],
        "crisis_convocations": [
            {"crisis_id": c.crisis_id, "position": c.position, "answer": c.answer}
            for c in Convocation.objects.filter(key_figure=figure).order_by("pk")
        ],
        "crisis_log_entries": [
            {
                "crisis_id": e.crisis_id,
                "seq": e.seq,
                "kind": e.kind,
                "at": _date(e.created_at),
                "data": e.payload,
            }
            for e in _crisis_events(figure).order_by("crisis_id", "seq")
        ],
        "reads": [
            {"at": _date(r.created_at), "reader_id": r.actor_id, "purpose": r.purpose}
            for r in PersonRecordRead.objects.filter(
                municipality_id=current_municipality().pk,
                record_type=figure._meta.label,
                record_id=str(figure.pk),
            ).order_by("id")
        ],
    }


def _crisis_events(figure: KeyFigure):
    """Log entries the person wrote (as a login) or that are about them (their convocation)."""
    events = CrisisEvent.objects.none()
    if figure.user_id:
        events = CrisisEvent.objects.filter(author_id=figure.user_id)
    convocations = list(Convocation.objects.filter(key_figure=figure).values_list("pk", flat=True))
    if convocations:
        events = events | CrisisEvent.objects.filter(payload__convocation_id__in=convocations)
    return events


def _scrub_rollcall_snapshots(figure: KeyFigure) -> list[int]:
    """Take the person's name out of the roll-call snapshots (``rollcall.convened``) of every crisis
    they were convened to; the other members' rows stay as they are. Returns the events changed."""
    convocations = set(Convocation.objects.filter(key_figure=figure).values_list("pk", flat=True))
    if not convocations:
        return []
    changed = []
    snapshots = CrisisEvent.objects.filter(
        kind="rollcall.convened",
        crisis_id__in=Convocation.objects.filter(pk__in=convocations).values("crisis_id"),
    )
    for event in snapshots:
        rows = (event.payload or {}).get("rollcall") or []
        if not any(row.get("id") in convocations for row in rows):
            continue
        scrubbed = [{**row, "name": ERASED_TEXT} if row.get("id") in convocations else row for row in rows]
        CrisisEvent.objects.filter(pk=event.pk).update(payload={**event.payload, "rollcall": scrubbed})
        changed.append(event.pk)
    return changed


@transaction.atomic
def do_erase_person(key_figure_id: int, *, acting_user: Any) -> dict[str, list[int]]:
    """Anonymise one person everywhere in this municipality; logged with ids only."""
    require_official(acting_user)
    figure = KeyFigure.objects.select_for_update().get(pk=key_figure_id)
    events = list(_crisis_events(figure).values_list("pk", flat=True))
    signals = list(Signal.objects.filter(ally=figure).values_list("pk", flat=True))
    # History rows are append-only through the ORM (agora.history); erasure is the one path that
    # rewrites their text, with queryset updates here, and leaves ids, kinds and times.
    CrisisEvent.objects.filter(pk__in=events).update(payload={"erased": True})
    snapshots = _scrub_rollcall_snapshots(figure)
    # The selection's words about the person: review notes, home-visit notes, decision reasons.
    cases = list(SelectionCase.objects.filter(key_figure=figure).values_list("pk", flat=True))
    Approval.objects.filter(case_id__in=cases).exclude(note="").update(note=ERASED_TEXT)
    Transition.objects.filter(case_id__in=cases).exclude(reason="").update(reason=ERASED_TEXT)
    HomeVisit.objects.filter(case_id__in=cases).update(
        **{f"{question}_notes": ERASED_TEXT for question in HOME_VISIT_QUESTIONS}
    )
    Signal.objects.filter(pk__in=signals).update(description=ERASED_TEXT)
    SignalAnswer.objects.filter(signal_id__in=signals).update(body=ERASED_TEXT)
    SignalStatusChange.objects.filter(signal_id__in=signals).exclude(note="").update(note=ERASED_TEXT)
    anonymise_key_figure(figure)
    result = {
        "key_figure": [figure.pk],
        "signals": signals,
        "crisis_events": events,
        "rollcall_snapshots": snapshots,
        "selection_cases": cases,
    }
    record_action("privacy.person_erased", actor=acting_user, obj=figure, detail=result)
    return result
