"""One real row of every routed model in Utrecht, so that generated tests call item routes with ids
that exist (a route probed with a missing id answers 404 whatever its gate does).

The rows belong to one ally where a row can belong to someone: the ally's own key figure, a
council the ally sits on, a meeting of it, an agenda item the ally proposed, the ally's signal,
a notice the ally received. A route that forgot its gate then shows itself to that ally instead
of hiding behind "not yours, 404".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection

from agora.accounts.models import Membership, User
from tenants.councils.models import AgendaItem, Council, Meeting
from tenants.networkmap.models import CityDistrict, Community, ContactMoment, KeyFigure, Neighbourhood
from tenants.nominations.models import ImportRun
from tenants.selection.models import SelectionCase, Transition
from tenants.signals.models import Notice, Signal
from tests.conftest import People, ensure_test_municipality
from tests.factories import (
    AgendaItemFactory,
    AttendanceFactory,
    CityDistrictFactory,
    CommunityFactory,
    ContactMomentFactory,
    CouncilFactory,
    CouncilMemberFactory,
    ImportRunFactory,
    KeyFigureFactory,
    MeetingFactory,
    NeighbourhoodFactory,
    NoticeFactory,
    NoticeRecipientFactory,
    SelectionCaseFactory,
    SignalFactory,
    TransitionFactory,
)


@dataclass
class MunicipalityRows:
    official: User
    police: User
    ally_user: User
    m_official: Membership
    m_police: Membership
    district: CityDistrict
    neighbourhood: Neighbourhood
    community: Community
    ally: KeyFigure  # the ally's own record, linked to ``ally_user``
    other: KeyFigure  # a key figure who is not an ally (a nominee with a selection case)
    bystander: KeyFigure  # an ally on no council, with no signal: shown only by lists of everyone
    contact: ContactMoment
    council: Council
    meeting: Meeting
    agenda_item: AgendaItem
    signal: Signal
    notice: Notice
    case: SelectionCase
    transition: Transition
    import_run: ImportRun
    crisis: Any
    drill: Any

    def id_for(self, route_prefix: str) -> int:
        """The real id for an item route of this API prefix (``"signals"``, ``"council-meetings"``)."""
        return ROUTE_ROWS[route_prefix](self).pk


ROUTE_ROWS = {
    "city-districts": lambda rows: rows.district,
    "neighbourhoods": lambda rows: rows.neighbourhood,
    "communities": lambda rows: rows.community,
    "key-figures": lambda rows: rows.ally,
    "councils": lambda rows: rows.council,
    "council-meetings": lambda rows: rows.meeting,
    "council-agenda-items": lambda rows: rows.agenda_item,
    "signals": lambda rows: rows.signal,
    "notices": lambda rows: rows.notice,
    "selection-cases": lambda rows: rows.case,
    "nominations/imports": lambda rows: rows.import_run,
    "memberships": lambda rows: rows.m_police,
    "crises": lambda rows: rows.crisis,
    "crisis-drills": lambda rows: rows.drill,
}


def build_rows(people: People, slug: str = "utrecht") -> MunicipalityRows:
    """Write the rows into ``slug``'s schema (the connection stays there)."""
    connection.set_tenant(ensure_test_municipality(slug))
    official, police, ally_user = people.official(slug), people.police(slug), people.ally(slug)
    m_official, m_police = people.membership(official, slug), people.membership(police, slug)
    district = CityDistrictFactory()
    neighbourhood = NeighbourhoodFactory(city_district=district, municipal_contact=m_official)
    community = CommunityFactory()
    ally = KeyFigureFactory(
        last_name="Oudenrijn",
        ally=True,
        user=ally_user,
        neighbourhood=neighbourhood,
        communities=[community],
        email="oudenrijn@example.org",
    )
    other = KeyFigureFactory(
        last_name="Kandidaatsma",
        neighbourhood=neighbourhood,
        communities=[community],
        nominated_by_police=True,
    )
    bystander = KeyFigureFactory(last_name="Omstanderveld", ally=True, email="omstanderveld@example.org")
    contact = ContactMomentFactory(key_figure=other, membership=m_police)
    council = CouncilFactory(municipal_lead=m_official, police_lead=m_police)
    seat = CouncilMemberFactory(council=council, key_figure=ally)
    meeting = MeetingFactory(council=council)
    AttendanceFactory(meeting=meeting, member=seat)
    AttendanceFactory(meeting=meeting, membership=m_police)
    agenda_item = AgendaItemFactory(council=council, meeting=meeting, proposed_by=ally_user)
    signal = SignalFactory(ally=ally, raised_by=ally_user, neighbourhood=neighbourhood, owner=m_official)
    notice = NoticeFactory(council=council, issued_by=police)
    NoticeRecipientFactory(notice=notice, key_figure=ally, via_council=True)
    case = SelectionCaseFactory(key_figure=other, opened_by=official)
    transition = TransitionFactory(case=case, user=official, membership=m_official)
    import_run = ImportRunFactory(imported_by=official)
    # Through the actions: declaring convenes the council (the ally gets a convocation).
    from tenants.crises.actions import do_declare_crisis, do_start_drill

    crisis = do_declare_crisis(title="Onrust", kind="unrest", council_ids=[council.pk], acting_user=official)
    drill = do_start_drill(council.pk, acting_user=official)
    return MunicipalityRows(
        official=official,
        police=police,
        ally_user=ally_user,
        m_official=m_official,
        m_police=m_police,
        district=district,
        neighbourhood=neighbourhood,
        community=community,
        ally=ally,
        other=other,
        bystander=bystander,
        contact=contact,
        council=council,
        meeting=meeting,
        agenda_item=agenda_item,
        signal=signal,
        notice=notice,
        case=case,
        transition=transition,
        import_run=import_run,
        crisis=crisis,
        drill=drill,
    )
