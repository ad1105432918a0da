"""Every change to the network map goes through these functions (API, admin, demo data alike).

Each action runs in one transaction and writes its audit row in that same transaction, so a
change without its audit row cannot exist. Rules that a form must show before saving (the admin)
are exposed as ``clean_*`` functions that the actions call again: one rule, one place.

The boundary rule of the method ("no council across the municipal boundary") starts here: a
neighbourhood's police officers and municipal contact, and whoever had a contact moment, must be
active members of *this* municipality with the right role. Memberships live in the public
schema, so the database cannot enforce this; these functions do.

Who acts is checked here too, not only by the API's permission classes: only staff (officials and
police officers) of this municipality change the map, so the admin, a web form, a socket or the
nominations import calling an action meets the same rule (``permission_denied``, 403).
``acting_user=None`` is the platform itself: a management command run by an operator with shell
access (``import_nominations`` without ``--user``). A request always carries a user (at least
``AnonymousUser``, which is refused), so no client reaches that path.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, models, transaction
from django.utils import timezone

from agora.accounts.actors import (
    MemberProblem,
    current_actor,
    current_municipality,
    find_member,
    forget_actors,
    require_staff,
)
from agora.accounts.models import Membership
from agora.accounts.roles import STAFF_ROLES, Role
from agora.audit.actions import record_action, record_actions
from agora.errors import NOT_FOUND, DomainError
from agora.ids import id_or_not_found
from agora.names import clean_name
from tenants.networkmap.errors import (
    ALLY_STATUS_READ_ONLY,
    CONTACT_IN_FUTURE,
    DUPLICATE_NAME,
    FOLLOW_UP_BEFORE_CONTACT,
    IN_USE,
    INVALID_CBS_CODE,
    INVALID_COMMUNITY_KIND,
    INVALID_CONTACT_KIND,
    INVALID_EMAIL,
    KEY_FIGURE_NOT_ALLY,
    MEMBERSHIP_INACTIVE,
    MEMBERSHIP_OUTSIDE_MUNICIPALITY,
    MEMBERSHIP_WRONG_ROLE,
    NAME_REQUIRED,
    RESIDENCE_CONFLICT,
    UNKNOWN_FIELD,
    USER_ALREADY_LINKED,
    USER_NOT_ALLY_MEMBER,
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
from tenants.networkmap.phones import normalise_phone

MUNICIPALITY_CODE = re.compile(r"^GM\d{4}$")
NEIGHBOURHOOD_CODE = re.compile(r"^WK\d{6}$")

# What the API and the admin may set on a key figure. ``is_ally`` is deliberately absent: only
# the selection workflow (tenants.selection) decides who is an ally.
KEY_FIGURE_FIELDS = frozenset(
    {
        "first_name",
        "infix",
        "last_name",
        "mobile",
        "email",
        "neighbourhood",
        "residence_cbs_code",
        "communities",
        "represents",
        "influence_notes",
        "nominated_by_municipality",
        "nominated_by_police",
        "is_professional_representative",
    }
)
NEIGHBOURHOOD_FIELDS = frozenset(
    {"name", "cbs_code", "city_district", "police_officers", "municipal_contact"}
)
COMMUNITY_FIELDS = frozenset({"kind", "name"})
CITY_DISTRICT_FIELDS = frozenset({"name"})


# --- shared checks -------------------------------------------------------------------------


def _municipality():
    """The municipality whose schema we are in; an action outside one is a programming error."""
    municipality = current_municipality()
    if municipality is None:
        raise RuntimeError("network map actions must run inside a municipality's schema")
    return municipality


def _check_fields(data: Mapping[str, Any], allowed: frozenset[str]) -> None:
    _municipality()
    if "is_ally" in data:
        raise ALLY_STATUS_READ_ONLY(fields={"is_ally": ["read-only"]})
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise UNKNOWN_FIELD(fields={name: ["unknown"] for name in unknown}, names=", ".join(unknown))


def check_acting_user(acting_user) -> None:
    """Refuse anyone but staff of this municipality (``None``: the platform, see the module docstring)."""
    _municipality()
    if acting_user is not None:
        require_staff(acting_user)


def check_membership(membership: Membership | int | None, *, roles: Iterable[str], field: str) -> Membership:
    """The membership, if it is an active member of this municipality with one of ``roles``.

    A membership id that does not exist is reported like one of another municipality: either
    way it is not a member here, and the caller learns nothing about other municipalities.
    """
    _municipality()
    roles = frozenset(roles)
    membership_id = membership.pk if isinstance(membership, Membership) else membership
    fields = {field: [str(membership_id)]}
    wanted = "/".join(sorted(str(role) for role in roles))
    return find_member(roles=roles, membership_id=membership_id).get(
        {
            MemberProblem.OUTSIDE: lambda: MEMBERSHIP_OUTSIDE_MUNICIPALITY(fields=fields),
            MemberProblem.WRONG_ROLE: lambda: MEMBERSHIP_WRONG_ROLE(fields=fields, role=wanted),
            MemberProblem.INACTIVE: lambda: MEMBERSHIP_INACTIVE(fields=fields),
        }
    )


# What each kind of record is called in the messages (English, Dutch).
_NAMES: dict[type, tuple[str, str]] = {
    CityDistrict: ("city district", "stadsdeel"),
    Community: ("community", "gemeenschap"),
    Neighbourhood: ("neighbourhood", "wijk"),
}


def _check_unique(model, *, exclude_pk: int | None, field: str = "name", **lookup: Any) -> None:
    clash = model.objects.filter(**lookup)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        what, wat = _NAMES[model]
        raise DUPLICATE_NAME(fields={field: ["taken"]}, what=what, wat=wat)


def _apply(instance, data: Mapping[str, Any], *, skip: Iterable[str] = ()) -> list[str]:
    """Set plain fields on ``instance``; return the names that changed (for the audit row)."""
    changed = []
    for name, value in data.items():
        if name in skip:
            continue
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


def _required_text(data: Mapping[str, Any], name: str) -> None:
    if name in data and not (data[name] or "").strip():
        raise NAME_REQUIRED(fields={name: ["required"]})


# --- city districts ------------------------------------------------------------------------


@transaction.atomic
def do_create_city_district(data: Mapping[str, Any], *, acting_user) -> CityDistrict:
    """A new city district (stadsdeel), to group neighbourhoods."""
    check_acting_user(acting_user)
    _check_fields(data, CITY_DISTRICT_FIELDS)
    _required_text({"name": data.get("name", "")}, "name")
    name = clean_name(data["name"], "name")
    _check_unique(CityDistrict, exclude_pk=None, name__iexact=name)
    district = CityDistrict.objects.create(name=name)
    record_action("networkmap.city_district.created", actor=acting_user, obj=district)
    return district


@transaction.atomic
def do_update_city_district(
    district: CityDistrict, changes: Mapping[str, Any], *, acting_user
) -> CityDistrict:
    check_acting_user(acting_user)
    _check_fields(changes, CITY_DISTRICT_FIELDS)
    _required_text(changes, "name")
    district = CityDistrict.objects.select_for_update().get(pk=district.pk)
    if "name" in changes:
        name = clean_name(changes["name"], "name")
        _check_unique(CityDistrict, exclude_pk=district.pk, name__iexact=name)
        changes = {**changes, "name": name}
    changed = _apply(district, changes)
    if changed:
        district.save()
        record_action(
            "networkmap.city_district.updated", actor=acting_user, obj=district, detail={"fields": changed}
        )
    return district


@transaction.atomic
def do_delete_city_district(district: CityDistrict, *, acting_user) -> None:
    """Delete a grouping; its neighbourhoods stay, ungrouped."""
    check_acting_user(acting_user)
    record_action("networkmap.city_district.deleted", actor=acting_user, obj=district)
    district.delete()


# --- communities ---------------------------------------------------------------------------


def _community_kind(kind: Any) -> str:
    if kind not in CommunityKind.values:
        raise INVALID_COMMUNITY_KIND(fields={"kind": [str(kind)]}, kind=kind)
    return kind


@transaction.atomic
def do_create_community(data: Mapping[str, Any], *, acting_user) -> Community:
    """A community on this municipality's own list."""
    check_acting_user(acting_user)
    _check_fields(data, COMMUNITY_FIELDS)
    _required_text({"name": data.get("name", "")}, "name")
    name = clean_name(data["name"], "name")
    kind = _community_kind(data.get("kind"))
    _check_unique(Community, exclude_pk=None, kind=kind, name__iexact=name)
    community = Community.objects.create(kind=kind, name=name)
    record_action("networkmap.community.created", actor=acting_user, obj=community)
    return community


@transaction.atomic
def do_update_community(community: Community, changes: Mapping[str, Any], *, acting_user) -> Community:
    check_acting_user(acting_user)
    _check_fields(changes, COMMUNITY_FIELDS)
    _required_text(changes, "name")
    community = Community.objects.select_for_update().get(pk=community.pk)
    changes = dict(changes)
    if "name" in changes:
        changes["name"] = clean_name(changes["name"], "name")
    kind = _community_kind(changes.get("kind", community.kind))
    name = changes.get("name", community.name)
    _check_unique(Community, exclude_pk=community.pk, kind=kind, name__iexact=name)
    changed = _apply(community, changes)
    if changed:
        community.save()
        record_action(
            "networkmap.community.updated", actor=acting_user, obj=community, detail={"fields": changed}
        )
    return community


@transaction.atomic
def do_delete_community(community: Community, *, acting_user) -> None:
    """Only an unused community can go: deleting it would silently drop what the map knows."""
    check_acting_user(acting_user)
    if community.key_figures.exists():
        raise IN_USE(what="community", wat="gemeenschap")
    record_action("networkmap.community.deleted", actor=acting_user, obj=community)
    community.delete()


# --- neighbourhoods ------------------------------------------------------------------------


def clean_neighbourhood_code(raw: str) -> str:
    """A CBS neighbourhood code (WK + this municipality's four digits + two), or empty."""
    code = (raw or "").strip().upper()
    if not code:
        return ""
    municipality = _municipality()
    own_digits = (municipality.cbs_code or "")[2:]
    if not NEIGHBOURHOOD_CODE.match(code) or (own_digits and code[2:6] != own_digits):
        raise INVALID_CBS_CODE(fields={"cbs_code": [raw]}, raw=raw, form=f"WK{own_digits or '0000'}NN")
    return code


def clean_neighbourhood_data(data: Mapping[str, Any]) -> dict[str, Any]:
    """Normalise and check neighbourhood input (also used by the admin form before saving)."""
    _check_fields(data, NEIGHBOURHOOD_FIELDS)
    _required_text(data, "name")
    cleaned = dict(data)
    if "name" in cleaned:
        cleaned["name"] = clean_name(cleaned["name"], "name")
    if "cbs_code" in cleaned:
        cleaned["cbs_code"] = clean_neighbourhood_code(cleaned["cbs_code"])
    if "police_officers" in cleaned:
        officers = {}
        for item in cleaned["police_officers"] or ():
            membership = check_membership(item, roles={Role.POLICE}, field="police_officers")
            officers[membership.pk] = membership
        cleaned["police_officers"] = list(officers.values())
    if cleaned.get("municipal_contact") is not None:
        cleaned["municipal_contact"] = check_membership(
            cleaned["municipal_contact"], roles={Role.OFFICIAL}, field="municipal_contact"
        )
    return cleaned


def _save_neighbourhood(
    neighbourhood: Neighbourhood, cleaned: dict[str, Any], *, acting_user, created: bool
) -> Neighbourhood:
    if "name" in cleaned:
        _check_unique(Neighbourhood, exclude_pk=neighbourhood.pk, name__iexact=cleaned["name"])
    changed = _apply(neighbourhood, cleaned, skip={"police_officers"})
    if created or changed:
        neighbourhood.save()
    if "police_officers" in cleaned:
        wanted = {m.pk for m in cleaned["police_officers"]}
        current = set(neighbourhood.police_officers.values_list("pk", flat=True)) if not created else set()
        if wanted != current:
            neighbourhood.police_officers.set(cleaned["police_officers"])
            changed.append("police_officers")
    if created:
        record_action("networkmap.neighbourhood.created", actor=acting_user, obj=neighbourhood)
    elif changed:
        record_action(
            "networkmap.neighbourhood.updated",
            actor=acting_user,
            obj=neighbourhood,
            detail={"fields": changed},
        )
    return neighbourhood


@transaction.atomic
def do_create_neighbourhood(data: Mapping[str, Any], *, acting_user) -> Neighbourhood:
    """A neighbourhood (wijk) with its neighbourhood police officers and municipal contact."""
    check_acting_user(acting_user)
    cleaned = clean_neighbourhood_data({"name": "", **data})
    return _save_neighbourhood(Neighbourhood(), cleaned, acting_user=acting_user, created=True)


@transaction.atomic
def do_update_neighbourhood(
    neighbourhood: Neighbourhood, changes: Mapping[str, Any], *, acting_user
) -> Neighbourhood:
    check_acting_user(acting_user)
    cleaned = clean_neighbourhood_data(changes)
    neighbourhood = Neighbourhood.objects.select_for_update().get(pk=neighbourhood.pk)
    return _save_neighbourhood(neighbourhood, cleaned, acting_user=acting_user, created=False)


@transaction.atomic
def do_delete_neighbourhood(neighbourhood: Neighbourhood, *, acting_user) -> None:
    """Only a neighbourhood where no key figure lives can go."""
    check_acting_user(acting_user)
    if neighbourhood.residents.exists():
        raise IN_USE(what="neighbourhood", wat="wijk")
    record_action(
        "networkmap.neighbourhood.deleted",
        actor=acting_user,
        obj=neighbourhood,
    )
    neighbourhood.delete()


# --- key figures ---------------------------------------------------------------------------


def clean_key_figure_data(data: Mapping[str, Any]) -> dict[str, Any]:
    """Normalise and check key figure input field by field (also used by the admin form).

    The mobile number is stored in E.164 so that matching (the two nomination lists) and
    calling work; a CBS code equal to this municipality's own means "lives here" and is stored
    empty, as the model documents.
    """
    _check_fields(data, KEY_FIGURE_FIELDS)
    cleaned = dict(data)
    for name in ("first_name", "infix", "last_name", "represents"):
        if name in cleaned:
            # One rule for names everywhere (API, admin, imports): agora.names.
            cleaned[name] = clean_name(cleaned[name] or "", name)
    _required_text(cleaned, "first_name")
    _required_text(cleaned, "last_name")
    if "mobile" in cleaned:
        cleaned["mobile"] = normalise_phone(cleaned["mobile"] or "")
    if "email" in cleaned:
        email = (cleaned["email"] or "").strip()
        if email:
            try:
                validate_email(email)
            except ValidationError as error:
                raise INVALID_EMAIL(fields={"email": [email]}, raw=email) from error
            domain_start = email.rfind("@") + 1
            email = email[:domain_start] + email[domain_start:].lower()
        cleaned["email"] = email
    if "residence_cbs_code" in cleaned:
        code = (cleaned["residence_cbs_code"] or "").strip().upper()
        if code and not MUNICIPALITY_CODE.match(code):
            raise INVALID_CBS_CODE(
                fields={"residence_cbs_code": [cleaned["residence_cbs_code"]]},
                raw=cleaned["residence_cbs_code"],
                form="GMNNNN",
            )
        if code == _municipality().cbs_code:
            code = ""
        cleaned["residence_cbs_code"] = code
    if "communities" in cleaned:
        cleaned["communities"] = list(cleaned["communities"] or ())
    return cleaned


def check_key_figure(key_figure: KeyFigure) -> None:
    """Rules over the whole record, checked after the changes are applied."""
    if not key_figure.first_name or not key_figure.last_name:
        field = "first_name" if not key_figure.first_name else "last_name"
        raise NAME_REQUIRED(fields={field: ["required"]})
    if key_figure.residence_cbs_code and key_figure.neighbourhood_id is not None:
        raise RESIDENCE_CONFLICT(fields={"neighbourhood": ["lives elsewhere"]})


def check_ally_rules(key_figure: KeyFigure) -> None:
    """An ally's record may not be changed into one that breaks the ally hard rules.

    The rules (no professional representative, lives in this municipality) belong to the
    selection app and raise its error codes (``professional_representative``,
    ``ally_lives_outside_municipality``, 409), so a change here is refused exactly as the
    selection procedure would refuse the person. Imported lazily: selection imports this app.
    """
    if not key_figure.is_ally:
        return
    from tenants.selection.rules import check_ally_invariants

    check_ally_invariants(key_figure)


def _save_key_figure(
    key_figure: KeyFigure, cleaned: dict[str, Any], *, acting_user, created: bool
) -> KeyFigure:
    changed = _apply(key_figure, cleaned, skip={"communities"})
    check_key_figure(key_figure)
    if changed:
        check_ally_rules(key_figure)
    if created or changed:
        key_figure.save()
    if "communities" in cleaned:
        wanted = {c.pk for c in cleaned["communities"]}
        current = set(key_figure.communities.values_list("pk", flat=True)) if not created else set()
        if wanted != current:
            key_figure.communities.set(cleaned["communities"])
            changed.append("communities")
    # Field names only: the audit trail must not become a second copy of the person's data.
    if created:
        record_action(
            "networkmap.key_figure.created", actor=acting_user, obj=key_figure, detail={"fields": changed}
        )
    elif changed:
        record_action(
            "networkmap.key_figure.updated", actor=acting_user, obj=key_figure, detail={"fields": changed}
        )
    return key_figure


@transaction.atomic
def do_create_key_figure(data: Mapping[str, Any], *, acting_user) -> KeyFigure:
    """A key figure on the municipality's and/or the police's list. Never an ally from here."""
    check_acting_user(acting_user)
    cleaned = clean_key_figure_data({"first_name": "", "last_name": "", **data})
    return _save_key_figure(KeyFigure(), cleaned, acting_user=acting_user, created=True)


@dataclass(frozen=True)
class NewKeyFigure:
    """A key figure checked as :func:`do_create_key_figure` checks it, not yet written."""

    figure: KeyFigure
    communities: tuple[Community, ...]
    fields: tuple[str, ...]  # the names the audit row lists, as the single create lists them


def prepare_key_figure(data: Mapping[str, Any]) -> NewKeyFigure:
    """Run every check of :func:`do_create_key_figure` on ``data`` without writing anything.

    For a bulk create (a nomination list of thousands of people): a row that breaks a rule raises
    the very ``DomainError`` the single create raises, before any row of the batch is written.
    """
    cleaned = clean_key_figure_data({"first_name": "", "last_name": "", **data})
    figure = KeyFigure()
    changed = _apply(figure, cleaned, skip={"communities"})
    check_key_figure(figure)
    if changed:
        check_ally_rules(figure)  # a new key figure is never an ally; kept so the rule cannot drift
    communities = tuple(cleaned.get("communities") or ())
    if communities:
        changed.append("communities")
    return NewKeyFigure(figure=figure, communities=communities, fields=tuple(changed))


@transaction.atomic
def do_create_key_figures(
    new: Sequence[NewKeyFigure], *, acting_user, batch_size: int = 1000
) -> list[KeyFigure]:
    """Write key figures prepared by :func:`prepare_key_figure` in a few statements.

    The same rows as one :func:`do_create_key_figure` per person (the figure, its communities,
    one ``networkmap.key_figure.created`` audit row each, field names only), written with
    ``bulk_create``: a city's list of 10,000 people costs a handful of round trips instead of
    several per person. Figures may carry a reserved primary key (:func:`reserve_ids`).
    """
    check_acting_user(acting_user)
    if not new:
        return []
    figures = KeyFigure.objects.bulk_create([item.figure for item in new], batch_size=batch_size)
    through = KeyFigure.communities.through
    through.objects.bulk_create(
        [
            through(keyfigure_id=figure.pk, community_id=community.pk)
            for figure, item in zip(figures, new, strict=True)
            for community in item.communities
        ],
        batch_size=batch_size,
    )
    record_actions(
        "networkmap.key_figure.created",
        ((figure, {"fields": list(item.fields)}) for figure, item in zip(figures, new, strict=True)),
        actor=acting_user,
        municipality=_municipality(),
        batch_size=batch_size,
    )
    forget_actors()  # what a post_save of each figure would have done
    return figures


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` primary keys taken from ``model``'s identity sequence in this schema.

    Lets a bulk import give new rows their keys before they are written, so that later rows of
    the same file can refer to them exactly as they refer to rows already in the database.
    """
    if count <= 0:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]


@transaction.atomic
def do_update_key_figure(key_figure: KeyFigure, changes: Mapping[str, Any], *, acting_user) -> KeyFigure:
    check_acting_user(acting_user)
    cleaned = clean_key_figure_data(changes)
    key_figure = KeyFigure.objects.select_for_update().get(pk=key_figure.pk)
    return _save_key_figure(key_figure, cleaned, acting_user=acting_user, created=False)


@transaction.atomic
def do_record_contact(
    key_figure: KeyFigure,
    *,
    acting_user,
    date: datetime.date | None = None,
    kind: str = ContactKind.VISIT,
    note: str = "",
    membership: Membership | int | None = None,
    follow_up_on: datetime.date | None = None,
) -> ContactMoment:
    """Record a contact moment and move the key figure's ``last_contact_on`` forward.

    ``membership`` is who had the contact (an official or police officer of this municipality);
    by default the acting user's own membership here. A contact recorded late (an older date)
    never moves ``last_contact_on`` back. ``follow_up_on`` is a next contact agreed in this one;
    the person who had the contact owns it (a handover passes it on when they leave).
    """
    check_acting_user(acting_user)
    today = timezone.localdate()
    date = date or today
    if date > today:
        raise CONTACT_IN_FUTURE(fields={"date": [date.isoformat()]})
    if kind not in ContactKind.values:
        raise INVALID_CONTACT_KIND(fields={"kind": [kind]}, kind=kind)
    if membership is None:
        own = current_actor(acting_user).membership
        membership = own.pk if own is not None else -1
    contact_by = check_membership(membership, roles=STAFF_ROLES, field="membership")
    if follow_up_on is not None and follow_up_on < date:
        raise FOLLOW_UP_BEFORE_CONTACT(fields={"follow_up_on": [follow_up_on.isoformat()]})
    key_figure = KeyFigure.objects.select_for_update().get(pk=key_figure.pk)
    contact = ContactMoment.objects.create(
        key_figure=key_figure,
        date=date,
        membership=contact_by,
        kind=kind,
        note=note.strip(),
        follow_up_on=follow_up_on,
        follow_up_by=contact_by if follow_up_on is not None else None,
    )
    if key_figure.last_contact_on is None or date > key_figure.last_contact_on:
        key_figure.last_contact_on = date
        key_figure.save(update_fields=["last_contact_on", "updated_at"])
    record_action(
        "networkmap.contact.recorded",
        actor=acting_user,
        obj=contact,
        detail={"key_figure": key_figure.pk, "date": date.isoformat(), "kind": kind},
    )
    return contact


@transaction.atomic
def do_link_key_figure_user(key_figure_id: int, user_id: int | None, *, acting_user) -> KeyFigure:
    """Link an ally's login (``user_id``) to their own key figure record, or unlink (``None``).

    The login must belong to an active ally of *this* municipality (``user_not_ally_member``,
    also for a user that does not exist), the record must be an ally's (``key_figure_not_ally``),
    and one login links to at most one key figure here (``user_already_linked``; the database
    enforces the same per schema). The ally then sees this record as their own.
    """
    check_acting_user(acting_user)
    key_figure = KeyFigure.objects.select_for_update().filter(pk=id_or_not_found(key_figure_id)).first()
    if key_figure is None:
        raise NOT_FOUND()
    previous = key_figure.user_id
    if user_id is None:
        if previous is None:
            return key_figure
        key_figure.user = None
        key_figure.save(update_fields=["user", "updated_at"])
        record_action(
            "networkmap.key_figure.user_unlinked",
            actor=acting_user,
            obj=key_figure,
            detail={"previous_user": previous},
        )
        return key_figure

    def not_ally() -> DomainError:
        return USER_NOT_ALLY_MEMBER(fields={"user": [str(user_id)]})

    # Whatever is wrong (no such user, another municipality, not an ally, deactivated): one code.
    membership = find_member(roles={Role.ALLY}, user_id=user_id).get(dict.fromkeys(MemberProblem, not_ally))
    if not key_figure.is_ally:
        raise KEY_FIGURE_NOT_ALLY(fields={"user": [str(user_id)]})
    if previous == membership.user_id:
        return key_figure
    other = KeyFigure.objects.filter(user_id=membership.user_id).exclude(pk=key_figure.pk).first()
    if other is not None:
        raise USER_ALREADY_LINKED(fields={"user": [str(user_id)]}, key_figure_id=other.pk)
    key_figure.user = membership.user
    key_figure.save(update_fields=["user", "updated_at"])
    record_action(
        "networkmap.key_figure.user_linked",
        actor=acting_user,
        obj=key_figure,
        detail={"user": membership.user_id, "previous_user": previous},
    )
    return key_figure
