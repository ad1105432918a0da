"""factory_boy factories, one per model: rows written directly, for tests that need data, not rules.

A test about a rule goes through the action (or the HTTP route) that holds the rule; a test that
only needs a key figure, a council or a notice to exist builds it here, so that a row is built
one way across the suite. Tenant factories write into the schema the connection is in
(``in_utrecht``); the public ones (users, memberships) into the public schema.

Fields the workflows own (``KeyFigure.is_ally``, ``SelectionCase.state``) are not editable
in forms; the factories set them with an ``update()`` after the insert, the way the selection
workflow does, so that ``KeyFigureFactory(ally=True)`` is an ally as the app would have made one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.utils import timezone
from django_tenants.utils import schema_context

from agora.accounts.models import Membership, User
from agora.accounts.roles import Role
from tenants.councils.models import (
    AgendaItem,
    Attendance,
    Council,
    CouncilMember,
    CouncilRules,
    Meeting,
    OverrideApproval,
)
from tenants.networkmap.models import (
    CityDistrict,
    Community,
    CommunityKind,
    ContactKind,
    ContactMoment,
    KeyFigure,
    Neighbourhood,
)
from tenants.nominations.models import ImportRun, NominationEntry, RejectedMatch
from tenants.selection.models import SelectionCase, Transition
from tenants.signals.models import Notice, NoticeRecipient, Signal, SignalAnswer, SignalCategory

PASSWORD = "correct horse battery staple"


# --- public schema ---------------------------------------------------------------------------


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user-{n}")
    first_name = factory.Sequence(lambda n: f"Voornaam{n}")
    last_name = factory.Sequence(lambda n: f"Achternaam{n}")
    mobile = factory.Sequence(lambda n: f"+3162{n:07d}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")

    @classmethod
    def _create(cls, model_class, *args: Any, **kwargs: Any) -> User:
        with schema_context("public"):
            return model_class.objects.create_user(*args, password=PASSWORD, **kwargs)


class MembershipFactory(factory.django.DjangoModelFactory):
    """A membership of a provisioned municipality (pass ``municipality=utrecht``)."""

    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.OFFICIAL

    @classmethod
    def _create(cls, model_class, *args: Any, **kwargs: Any) -> Membership:
        with schema_context("public"):
            return super()._create(model_class, *args, **kwargs)


# --- network map -----------------------------------------------------------------------------


class CityDistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CityDistrict

    name = factory.Sequence(lambda n: f"Stadsdeel {n}")


class NeighbourhoodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Neighbourhood

    name = factory.Sequence(lambda n: f"Wijk {n}")


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community

    kind = CommunityKind.GROUP
    name = factory.Sequence(lambda n: f"Gemeenschap {n}")


class KeyFigureFactory(factory.django.DjangoModelFactory):
    """A key figure; ``ally=True`` marks them an ally, ``user=`` links a login (as the apps do)."""

    class Meta:
        model = KeyFigure
        skip_postgeneration_save = True

    first_name = factory.Sequence(lambda n: f"Persoon{n}")
    last_name = factory.Sequence(lambda n: f"Achternaam{n}")
    mobile = factory.Sequence(lambda n: f"+3161{n:07d}")

    @classmethod
    def _create(cls, model_class, *args: Any, ally: bool = False, **kwargs: Any) -> KeyFigure:
        # is_ally is not editable: the selection workflow sets it, with an update(); so do we.
        user = kwargs.pop("user", None)
        figure = model_class.objects.create(*args, **kwargs)
        if ally or user is not None:
            model_class.objects.filter(pk=figure.pk).update(is_ally=ally, user=user)
            figure.refresh_from_db()
        return figure

    @factory.post_generation
    def communities(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.communities.set(extracted)


class ContactMomentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactMoment

    key_figure = factory.SubFactory(KeyFigureFactory)
    date = factory.LazyFunction(timezone.localdate)
    kind = ContactKind.PHONE


# --- councils --------------------------------------------------------------------------------


class CouncilRulesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CouncilRules
        django_get_or_create = ("singleton",)

    singleton = True


class CouncilFactory(factory.django.DjangoModelFactory):
    """A council row (no composition rules checked): pass ``municipal_lead`` and ``police_lead``."""

    class Meta:
        model = Council

    name = factory.Sequence(lambda n: f"Bondgenotenoverleg {n}")
    started_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=365))


class CouncilMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CouncilMember

    council = factory.SubFactory(CouncilFactory)
    key_figure = factory.SubFactory(KeyFigureFactory, ally=True)
    joined_on = factory.LazyAttribute(lambda seat: seat.council.started_on)


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    council = factory.SubFactory(CouncilFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))
    place = "Buurthuis"
    meal = "Soep van Fatima"


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    meeting = factory.SubFactory(MeetingFactory)


class AgendaItemFactory(factory.django.DjangoModelFactory):
    """An agenda item: pass ``council`` and ``proposed_by`` (a user)."""

    class Meta:
        model = AgendaItem

    title = factory.Sequence(lambda n: f"Agendapunt {n}")


class OverrideApprovalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OverrideApproval

    side = "municipal"


# --- signals ---------------------------------------------------------------------------------


class SignalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Signal

    ally = factory.SubFactory(KeyFigureFactory, ally=True)
    category = SignalCategory.OTHER
    neighbourhood = factory.SubFactory(NeighbourhoodFactory)
    description = "Er ligt afval bij de speeltuin."


class SignalAnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SignalAnswer

    signal = factory.SubFactory(SignalFactory)
    body = "Wij kijken ernaar."


class NoticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notice

    title = factory.Sequence(lambda n: f"Vooraankondiging {n}")
    description = "Actie in de wijk."
    planned_start = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=2))


class NoticeRecipientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NoticeRecipient

    notice = factory.SubFactory(NoticeFactory)
    key_figure = factory.SubFactory(KeyFigureFactory, ally=True)


# --- selection -------------------------------------------------------------------------------


class SelectionCaseFactory(factory.django.DjangoModelFactory):
    """A case row in ``nominated`` (pass ``opened_by``); later states only through the actions."""

    class Meta:
        model = SelectionCase

    key_figure = factory.SubFactory(KeyFigureFactory)


class TransitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Transition

    case = factory.SubFactory(SelectionCaseFactory)
    from_state = ""
    to_state = "nominated"
    role = Role.OFFICIAL


# --- nominations -----------------------------------------------------------------------------


class ImportRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportRun

    source = "municipality"
    file_name = factory.Sequence(lambda n: f"lijst-{n}.csv")
    file_format = "csv"
    checksum = factory.Sequence(lambda n: f"{n:064x}")


class NominationEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NominationEntry

    source = "municipality"
    first_name = factory.Sequence(lambda n: f"Genomineerde{n}")
    last_name = "Lijst"
    name_key = factory.LazyAttribute(lambda e: f"{e.first_name} {e.last_name}".lower())
    first_run = factory.SubFactory(ImportRunFactory)
    last_changed_run = factory.SelfAttribute("first_run")


class RejectedMatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RejectedMatch

    municipality_key_figure = factory.SubFactory(KeyFigureFactory)
    police_key_figure = factory.SubFactory(KeyFigureFactory)
