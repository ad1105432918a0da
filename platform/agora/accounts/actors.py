"""Who acts: the one place that turns a user into "a member of this municipality with role R".

Every action, view, admin and socket consumer asks here, so that they all agree on what an
active member is (an active membership of the municipality of the current schema, held by an
active user) and on the error a refusal raises. See docs/adr/0006-one-actor-core.md.

- :func:`current_actor` resolves the acting user in the current municipality once, with their
  role and, for an ally, the key figures that are their ally identity. Inside
  :func:`actor_cache` (one per HTTP request, see ``ActorCacheMiddleware``, and one per socket
  call) the answer is kept; outside it every call resolves afresh, so code that changes a
  membership and asks again always sees the change.
- :func:`require_member`, :func:`require_staff` and :func:`require_role` refuse with one domain
  error: ``permission_denied`` (403), or the 403 code an app already published for that refusal.
- :func:`find_member` resolves "an active member of this municipality with role R" from a
  membership id or a user id, for actions that name another person (a lead, an owner, a visitor).
"""

from __future__ import annotations

import contextlib
import contextvars
import enum
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import connection

from agora.accounts.models import Membership
from agora.accounts.roles import STAFF_ROLES, Role
from agora.errors import PERMISSION_DENIED, DomainError, ErrorSpec
from agora.ids import parse_id

if TYPE_CHECKING:
    from agora.municipalities.models import Municipality

_CACHE: contextvars.ContextVar[dict[tuple[Any, ...], Actor] | None] = contextvars.ContextVar(
    "agora_actor_cache", default=None
)


def current_municipality() -> Municipality | None:
    """The municipality of the current connection's schema, or None in the public schema."""
    from agora.municipalities.models import Municipality

    tenant = getattr(connection, "tenant", None)
    return tenant if isinstance(tenant, Municipality) else None


@dataclass(frozen=True)
class Actor:
    """A user as seen from one municipality: their active membership there, or none."""

    user: Any
    municipality: Municipality | None
    membership: Membership | None
    ally_key_figure_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def role(self) -> str | None:
        return self.membership.role if self.membership is not None else None

    @property
    def is_member(self) -> bool:
        return self.membership is not None

    @property
    def is_staff(self) -> bool:
        """An official or police officer of this municipality: the people who keep the map."""
        return self.role in STAFF_ROLES

    @property
    def is_ally(self) -> bool:
        return self.role == Role.ALLY

    @property
    def is_official(self) -> bool:
        return self.role == Role.OFFICIAL

    @property
    def is_police(self) -> bool:
        return self.role == Role.POLICE

    @property
    def user_id(self) -> int | None:
        return getattr(self.user, "pk", None)


def _resolve(user: Any, municipality: Municipality | None) -> Actor:
    if municipality is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Actor(user=user, municipality=municipality, membership=None)
    membership = (
        Membership.objects.select_related("user")
        .filter(user_id=user.pk, municipality_id=municipality.pk, is_active=True, user__is_active=True)
        .first()
    )
    ally_ids: frozenset[int] = frozenset()
    if membership is not None and membership.role == Role.ALLY and _in_schema_of(municipality):
        from tenants.networkmap.models import KeyFigure

        ally_ids = frozenset(
            KeyFigure.objects.filter(user_id=user.pk, is_ally=True).values_list("pk", flat=True)
        )
    return Actor(user=user, municipality=municipality, membership=membership, ally_key_figure_ids=ally_ids)


def _in_schema_of(municipality: Municipality) -> bool:
    return getattr(connection, "schema_name", None) == municipality.schema_name


def actor_for(user: Any, municipality: Municipality | None) -> Actor:
    """``user`` as a member of ``municipality`` (cached inside :func:`actor_cache`)."""
    cache = _CACHE.get()
    key = (getattr(user, "pk", None), getattr(municipality, "pk", None), connection.schema_name)
    if cache is not None and key in cache:
        return cache[key]
    actor = _resolve(user, municipality)
    if cache is not None:
        cache[key] = actor
    return actor


def current_actor(user: Any) -> Actor:
    """``user`` as a member of the municipality whose schema this connection is in."""
    return actor_for(user, current_municipality())


@contextlib.contextmanager
def actor_cache() -> Iterator[None]:
    """Keep resolved actors for the duration of one request or one socket call."""
    token = _CACHE.set({})
    try:
        yield
    finally:
        _CACHE.reset(token)


def forget_actors() -> None:
    """Drop what the current cache holds (a membership, a user or an ally link changed)."""
    cache = _CACHE.get()
    if cache is not None:
        cache.clear()


def _refuse(error: ErrorSpec | Callable[[], DomainError] | None) -> DomainError:
    return (error or PERMISSION_DENIED)()


def require_member(user: Any, *, error: ErrorSpec | None = None) -> Actor:
    """The acting member of this municipality, whatever their role; refuse anyone else."""
    actor = current_actor(user)
    if not actor.is_member:
        raise _refuse(error)
    return actor


def require_role(user: Any, roles: Collection[str], *, error: ErrorSpec | None = None) -> Actor:
    """The acting member of this municipality if their role is one of ``roles``; refuse otherwise."""
    actor = current_actor(user)
    if actor.role is None or actor.role not in roles:
        raise _refuse(error)
    return actor


def require_staff(user: Any, *, error: ErrorSpec | None = None) -> Actor:
    """An official or police officer of this municipality; refuse anyone else."""
    return require_role(user, STAFF_ROLES, error=error)


class MemberProblem(enum.Enum):
    """Why a named person is not "an active member of this municipality with role R"."""

    OUTSIDE = "outside"  # no such membership, or one of another municipality
    WRONG_ROLE = "wrong_role"
    INACTIVE = "inactive"  # the membership or the user account is deactivated


@dataclass(frozen=True)
class MemberLookup:
    membership: Membership | None
    problem: MemberProblem | None

    def get(self, refusals: dict[MemberProblem, Callable[[], DomainError]]) -> Membership:
        """The membership, or the caller's error for the problem found (one per problem)."""
        if self.problem is None and self.membership is not None:
            return self.membership
        raise refusals[self.problem or MemberProblem.OUTSIDE]()


def find_member(*, roles: Iterable[str], membership_id: Any = None, user_id: Any = None) -> MemberLookup:
    """Look up a member of this municipality by membership id or user id, and say what is wrong.

    A membership or user that does not exist reads like one of another municipality: either way
    it is not a member here, and the caller learns nothing about other municipalities. Ids are
    parsed with :func:`agora.ids.parse_id` (ASCII digits only).
    """
    municipality = current_municipality()
    if municipality is None:
        raise RuntimeError("find_member must run inside a municipality's schema")
    query = Membership.objects.select_related("user")
    if membership_id is not None:
        pk = membership_id.pk if isinstance(membership_id, Membership) else parse_id(membership_id)
        found = query.filter(pk=pk).first() if pk else None
    else:
        pk = parse_id(user_id)
        found = query.filter(user_id=pk, municipality_id=municipality.pk).first() if pk else None
    if found is None or found.municipality_id != municipality.pk:
        return MemberLookup(None, MemberProblem.OUTSIDE)
    if found.role not in frozenset(roles):
        return MemberLookup(found, MemberProblem.WRONG_ROLE)
    if not found.is_active or not found.user.is_active:
        return MemberLookup(found, MemberProblem.INACTIVE)
    return MemberLookup(found, None)


def active_members(roles: Iterable[str]):
    """Active memberships of this municipality with one of ``roles`` (for pickers and fan-out)."""
    municipality = current_municipality()
    if municipality is None:
        return Membership.objects.none()
    return (
        Membership.objects.select_related("user")
        .filter(municipality_id=municipality.pk, role__in=list(roles), is_active=True, user__is_active=True)
        .order_by("user__last_name", "user__first_name", "user__username")
    )
