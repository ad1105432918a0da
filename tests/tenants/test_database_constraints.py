"""Every database constraint of the tenant apps holds by itself (issue 8.3).

The constraints are discovered from ``model._meta.constraints`` across the ``tenants.*`` apps.
For each, a recipe in ``RECIPES`` writes the rows it needs directly (factories, no actions: the
actions' own checks would stop the row first and hide a constraint that stopped working) and
returns the one write that breaks it. The test expects an ``IntegrityError`` raised by THAT
constraint (PostgreSQL names it), so a recipe cannot pass on some other failure. A constraint
without a recipe fails the test: add one when you add a constraint.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from agora.accounts.models import Membership, User
from tenants.councils.models import Attendance, CouncilMember, CouncilRules, Meeting, OverrideApproval
from tenants.crises.models import Convocation, Crisis, CrisisEvent
from tenants.networkmap.models import Community, CommunityKind, KeyFigure
from tenants.nominations.models import RejectedMatch
from tenants.selection.models import Approval, SelectionCase
from tenants.signals.models import NoticeRecipient, Signal
from tests.factories import (
    AgendaItemFactory,
    AttendanceFactory,
    CommunityFactory,
    CouncilFactory,
    CouncilMemberFactory,
    KeyFigureFactory,
    MeetingFactory,
    NeighbourhoodFactory,
    NoticeFactory,
    NoticeRecipientFactory,
    OverrideApprovalFactory,
    SelectionCaseFactory,
)


def tenant_constraints() -> list[tuple[type[models.Model], models.BaseConstraint]]:
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("tenants."):
            continue
        for model in config.get_models():
            for constraint in model._meta.constraints:
                if isinstance(constraint, models.CheckConstraint | models.UniqueConstraint):
                    found.append((model, constraint))
    return found


CONSTRAINTS = tenant_constraints()


@dataclass
class Cast:
    official: User
    police: User
    m_official: Membership
    m_police: Membership

    def council(self):
        return CouncilFactory(municipal_lead=self.m_official, police_lead=self.m_police)


Write = Callable[[], Any]
Recipe = Callable[[Cast], Write]


def _community_twice(c: Cast) -> Write:
    CommunityFactory(kind=CommunityKind.GROUP, name="Schakers")
    return lambda: Community.objects.create(kind=CommunityKind.GROUP, name="Schakers")


def _login_on_two_key_figures(c: Cast) -> Write:
    KeyFigureFactory(user=c.official)
    return lambda: KeyFigure.objects.create(first_name="Tweede", last_name="Record", user=c.official)


def _second_active_seat(c: Cast) -> Write:
    seat = CouncilMemberFactory(council=c.council())
    return lambda: CouncilMember.objects.create(
        council=seat.council, key_figure=seat.key_figure, joined_on=seat.joined_on
    )


def _left_before_joined(c: Cast) -> Write:
    council, figure = c.council(), KeyFigureFactory(ally=True)
    return lambda: CouncilMember.objects.create(
        council=council, key_figure=figure, joined_on=dt.date(2026, 3, 1), left_on=dt.date(2026, 2, 1)
    )


def _meeting(c: Cast, **fields: Any) -> Write:
    council = c.council()
    values = {"starts_at": timezone.now(), "place": "Buurthuis", "meal": "Soep", **fields}
    return lambda: Meeting.objects.create(council=council, **values)


def _crisis(c: Cast):
    now = timezone.now()
    return Crisis.objects.create(
        title="Onrust",
        kind="unrest",
        declared_at=now,
        deadline_at=now + dt.timedelta(hours=1),
        declared_by=c.official,
    )


def _convocation_twice(c: Cast, **person: Any) -> Write:
    crisis = _crisis(c)
    values = {"side": "police", "position": "lead", "user": c.police, **person}
    Convocation.objects.create(crisis=crisis, **values)
    return lambda: Convocation.objects.create(crisis=crisis, **values)


def _convocation_of_two(c: Cast) -> Write:
    crisis = _crisis(c)
    figure = KeyFigureFactory(ally=True)
    return lambda: Convocation.objects.create(
        crisis=crisis, side="police", position="lead", user=c.police, membership=c.m_police, key_figure=figure
    )


def _event_twice(c: Cast, **fields: Any) -> Write:
    crisis = _crisis(c)
    values = {"kind": "message", "author": c.official, "created_at": timezone.now(), **fields}
    CrisisEvent.objects.create(crisis=crisis, seq=1, **values)
    second_seq = 1 if "client_msg_id" not in fields else 2
    return lambda: CrisisEvent.objects.create(crisis=crisis, seq=second_seq, **values)


def _attendance(c: Cast, **fields: Any) -> Write:
    meeting = MeetingFactory(council=c.council())
    seat = CouncilMemberFactory(council=meeting.council)
    resolved = {k: (v(meeting, seat, c) if callable(v) else v) for k, v in fields.items()}
    return lambda: Attendance.objects.create(meeting=meeting, **resolved)


def _attendance_twice(c: Cast, by_member: bool) -> Write:
    meeting = MeetingFactory(council=c.council())
    who = (
        {"member": CouncilMemberFactory(council=meeting.council)} if by_member else {"membership": c.m_police}
    )
    AttendanceFactory(meeting=meeting, **who)
    return lambda: Attendance.objects.create(meeting=meeting, **who)


def _override_twice(c: Cast, *, same_side: bool) -> Write:
    council = c.council()
    item = AgendaItemFactory(council=council, proposed_by=c.official)
    OverrideApprovalFactory(agenda_item=item, side="municipal", approved_by=c.official)
    side, by = ("municipal", c.police) if same_side else ("police", c.official)
    return lambda: OverrideApproval.objects.create(agenda_item=item, side=side, approved_by=by)


def _signal(c: Cast, **fields: Any) -> Write:
    ally, neighbourhood = KeyFigureFactory(ally=True), NeighbourhoodFactory()
    return lambda: Signal.objects.create(
        ally=ally, neighbourhood=neighbourhood, category="other", description="x", **fields
    )


def _recipient_twice(c: Cast) -> Write:
    row = NoticeRecipientFactory(notice=NoticeFactory(issued_by=c.police))
    return lambda: NoticeRecipient.objects.create(notice=row.notice, key_figure=row.key_figure)


def _second_open_case(c: Cast) -> Write:
    case = SelectionCaseFactory(opened_by=c.official)
    return lambda: SelectionCase.objects.create(key_figure=case.key_figure, opened_by=c.official)


def _approval_twice(c: Cast, *, same_side: bool) -> Write:
    case = SelectionCaseFactory(opened_by=c.official)
    Approval.objects.create(case=case, side="official", membership=c.m_official, user=c.official)
    if same_side:  # another person, the same side
        return lambda: Approval.objects.create(
            case=case, side="official", membership=c.m_police, user=c.police
        )
    return lambda: Approval.objects.create(case=case, side="police", membership=c.m_official, user=c.official)


def _rejected_pair_twice(c: Cast) -> Write:
    a, b = KeyFigureFactory(), KeyFigureFactory()
    RejectedMatch.objects.create(municipality_key_figure=a, police_key_figure=b)
    return lambda: RejectedMatch.objects.create(municipality_key_figure=a, police_key_figure=b)


# constraint name -> the rows it needs, and the write that breaks it
RECIPES: dict[str, Recipe] = {
    # network map
    "community_unique_name": _community_twice,
    "key_figure_unique_user": _login_on_two_key_figures,
    # councils
    "council_rules_singleton": lambda c: lambda: CouncilRules.objects.create(singleton=False),
    "council_rules_start_range": lambda c: (
        lambda: CouncilRules.objects.create(recommended_start_min=6, recommended_start_max=5)
    ),
    "council_member_one_active_seat": _second_active_seat,
    "council_member_left_after_joined": _left_before_joined,
    "meeting_has_meal": lambda c: _meeting(c, meal=""),
    "meeting_ends_after_start": lambda c: _meeting(
        c, starts_at=timezone.now(), ends_at=timezone.now() - dt.timedelta(hours=1)
    ),
    "attendance_one_attendee": lambda c: _attendance(
        c, member=lambda meeting, seat, cast: seat, membership=lambda meeting, seat, cast: cast.m_police
    ),
    "attendance_member_once": lambda c: _attendance_twice(c, by_member=True),
    "attendance_membership_once": lambda c: _attendance_twice(c, by_member=False),
    "override_one_approval_per_side": lambda c: _override_twice(c, same_side=True),
    "override_distinct_people": lambda c: _override_twice(c, same_side=False),
    # signals
    "signal_response_time_with_first_answer": lambda c: _signal(
        c, raised_at=timezone.now() - dt.timedelta(days=1), first_answered_at=timezone.now()
    ),
    "signal_answer_after_raise": lambda c: _signal(
        c,
        raised_at=timezone.now(),
        first_answered_at=timezone.now() - dt.timedelta(days=1),
        response_time=dt.timedelta(days=1),
    ),
    "notice_recipient_once": _recipient_twice,
    # selection
    "selection_one_open_case_per_key_figure": _second_open_case,
    "selection_case_state_valid": lambda c: (
        lambda: SelectionCase.objects.create(
            key_figure=KeyFigureFactory(), opened_by=c.official, state="bogus"
        )
    ),
    "selection_one_approval_per_side": lambda c: _approval_twice(c, same_side=True),
    "selection_one_approval_per_person": lambda c: _approval_twice(c, same_side=False),
    # nominations
    "nomination_rejected_pair_once": _rejected_pair_twice,
    # crises
    "crisis_settings_singleton": lambda c: (
        lambda: __import__(
            "tenants.crises.models", fromlist=["CrisisSettings"]
        ).CrisisSettings.objects.create(singleton=False)
    ),
    "convocation_membership_once": lambda c: _convocation_twice(c, membership=c.m_police),
    "convocation_key_figure_once": lambda c: _convocation_twice(
        c, side="ally", position="ally", key_figure=KeyFigureFactory(ally=True)
    ),
    "convocation_one_person": _convocation_of_two,
    "crisis_event_seq_once": _event_twice,
    "crisis_event_client_msg_once": lambda c: _event_twice(c, client_msg_id=uuid.uuid4()),
}


def test_the_constraints_are_discovered_and_every_recipe_has_one():
    names = [constraint.name for _, constraint in CONSTRAINTS]
    assert "meeting_has_meal" in names, names
    assert len(names) == len(set(names)), names
    assert set(RECIPES) <= set(names), f"stale recipes: {sorted(set(RECIPES) - set(names))}"


@pytest.fixture
def cast(people, in_utrecht) -> Cast:
    official, police = people.official("utrecht"), people.police("utrecht")
    cast = Cast(official, police, people.membership(official), people.membership(police))
    connection.set_tenant(in_utrecht)
    return cast


@pytest.mark.parametrize(
    ("model", "constraint"), CONSTRAINTS, ids=[f"{m._meta.label}.{c.name}" for m, c in CONSTRAINTS]
)
def test_the_database_refuses_the_violating_row(model, constraint, cast):
    assert constraint.name in RECIPES, f"no violating-row recipe for {constraint.name!r}: add one to RECIPES"
    write = RECIPES[constraint.name](cast)
    with pytest.raises(IntegrityError) as info, transaction.atomic():
        write()
    refused_by = getattr(getattr(info.value.__cause__, "diag", None), "constraint_name", None)
    assert refused_by is not None, str(info.value)
    assert refused_by == constraint.name, (constraint.name, refused_by, str(info.value))


def _named_in_schema() -> set[str]:
    """Constraint and index names in the current schema (partial unique constraints are indexes)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT conname FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
            WHERE n.nspname = current_schema()
            UNION SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()
            """
        )
        return {row[0] for row in cursor.fetchall()}


def test_a_cloned_municipality_keeps_the_constraint_names_of_the_models(in_utrecht):
    """Cloning renames plain unique constraints; provisioning gives them their models' names back."""
    missing = sorted({constraint.name for _, constraint in CONSTRAINTS} - _named_in_schema())
    assert not missing, missing
