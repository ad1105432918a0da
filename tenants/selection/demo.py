"""Demo data: key figures at every stage of the selection pipeline, made through the real actions.

Runs after the network-map demo (which makes the key figures). Everything goes through
``tenants.selection.actions``, so the demo's allies passed the same four-eyes review, home visit
and hard rules as real ones, and their history and audit rows look real. Professional
representatives and people living in another municipality are skipped: they cannot become allies.
Idempotent: a key figure that has a case already is left alone. Only the network map demo's key
figures are used: a restart never opens a case for someone staff entered (Leusden's demo has fewer
eligible people than the plan has stages). Allies' portal logins
(``KeyFigure.user``) are not made here (the platform demo links them).
"""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import timezone
from django_tenants.utils import tenant_context

from agora.accounts.actors import actor_for
from agora.accounts.models import User
from agora.municipalities.models import Municipality
from tenants.networkmap.demo import demo_key_figures
from tenants.networkmap.models import KeyFigure
from tenants.selection import actions
from tenants.selection.models import ASSESSMENT_QUESTIONS, Answer, SelectionCase
from tenants.selection.workflow import CaseState

# The stage each eligible key figure (by id) is brought to; key figures beyond the plan get no case,
# so the demo has people left to nominate. Allies come first so that councils can be formed.
REVIEW_ONE_APPROVAL = "review_one_approval"
PLAN: tuple[str, ...] = (
    CaseState.ALLY,
    CaseState.ALLY,
    CaseState.ALLY,
    CaseState.ALLY,
    REVIEW_ONE_APPROVAL,
    CaseState.HOME_VISIT,
    CaseState.NOT_SUITABLE,
    CaseState.STEPPED_DOWN,
    CaseState.NOMINATED,
    CaseState.ALLY,
    REVIEW_ONE_APPROVAL,
    CaseState.NOMINATED,
)


def eligible_key_figures(municipality: Municipality) -> list[KeyFigure]:
    """The demo's key figures who could become allies here, in a stable order."""
    return list(
        demo_key_figures()
        .filter(is_professional_representative=False)
        .filter(Q(residence_cbs_code="") | Q(residence_cbs_code__iexact=municipality.cbs_code))
        .order_by("id")
    )


def load_demo(municipality: Municipality, staff: dict[str, User]) -> None:
    """Bring the municipality's eligible key figures to the stages of ``PLAN`` (once)."""
    with tenant_context(municipality):
        with_case = set(SelectionCase.objects.values_list("key_figure_id", flat=True))
        for key_figure, stage in zip(eligible_key_figures(municipality), PLAN, strict=False):
            if key_figure.pk not in with_case:
                _bring_to(key_figure, stage, municipality, staff)


def _bring_to(key_figure: KeyFigure, stage: str, municipality: Municipality, staff: dict[str, User]) -> None:
    official, police = staff["official"], staff["police"]
    case = actions.do_open_case(
        key_figure.pk, acting_user=official, reason="Op de lijsten van gemeente en politie."
    )
    if stage == CaseState.NOMINATED:
        return
    actions.do_start_review(case, acting_user=police, reason="Samen kritisch bekijken.")
    if stage == CaseState.NOT_SUITABLE:
        actions.do_reject_case(
            case, acting_user=police, reason="Zet zich vooral in voor de eigen achterban, niet voor de wijk."
        )
        return
    actions.do_approve_case(case, acting_user=official, note="Verbindt in de wijk, goede bedoelingen.")
    if stage == REVIEW_ONE_APPROVAL:
        return
    actions.do_approve_case(case, acting_user=police, note="Bekend bij de wijkagent als bruggenbouwer.")
    if stage == CaseState.HOME_VISIT:
        return
    visitors = [actor_for(person, municipality).membership.pk for person in (official, police)]
    actions.do_record_home_visit(
        case,
        acting_user=official,
        visited_on=timezone.localdate() - datetime.timedelta(days=14 + key_figure.pk % 30),
        visitor_ids=visitors,
        answers={
            question: actions.AssessmentAnswer(Answer.YES, "Duidelijk in het gesprek aan huis.")
            for question in ASSESSMENT_QUESTIONS
        },
    )
    actions.do_decide_case(
        case,
        acting_user=staff["official2"],
        outcome=CaseState.ALLY,
        reason="Beide kanten akkoord, huisbezoek positief op alle vier de vragen.",
    )
    if stage == CaseState.STEPPED_DOWN:
        actions.do_step_down(case, acting_user=staff["police2"], reason="Verhuist binnenkort; stopt even.")
