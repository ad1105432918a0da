"""Reading selection cases: one path, so that every read of a person's case is checked and logged.

A case is about a person (special-category data): only officials and police officers of this
municipality see it, and missing and forbidden look the same (``not_found``), so ids do not leak.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from agora.accounts.actors import current_actor
from agora.accounts.models import User
from agora.audit.actions import log_person_read, log_person_reads
from agora.errors import NOT_FOUND
from agora.ids import id_or_not_found
from tenants.selection.models import Approval, SelectionCase, Transition

READ_PURPOSE = "selection of allies"


def cases_visible_to(user: User) -> QuerySet[SelectionCase]:
    """The cases ``user`` may list: all of this municipality's for staff, none for anyone else."""
    if not current_actor(user).is_staff:
        return SelectionCase.objects.none()
    return SelectionCase.objects.select_related("key_figure", "key_figure__neighbourhood")


def access_case_by_id(user: User, case_id: int | str) -> SelectionCase:
    """One case with everything the detail view shows; the read of the person is logged.

    ``case_id`` as a client sent it: only ASCII digits are an id (``agora.ids``), so "٣" is
    ``not_found`` like a missing case, not case 3.
    """
    pk = id_or_not_found(case_id)
    case = (
        cases_visible_to(user)
        .select_related("home_visit")
        .prefetch_related(
            Prefetch("approvals", queryset=Approval.objects.select_related("user")),
            Prefetch("transitions", queryset=Transition.objects.select_related("user")),
            "home_visit__visitors",
        )
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise NOT_FOUND()
    log_person_read(actor=user, obj=case.key_figure, purpose=READ_PURPOSE)
    return case


def log_case_list_read(user: User, cases: list[SelectionCase]) -> None:
    """A list shows names too: log one read per person shown."""
    log_person_reads(actor=user, objs=[case.key_figure for case in cases], purpose=READ_PURPOSE)
