"""Key figures (sleutelfiguren), one at a time: clean, check, create, change, link a login.

The ``clean_*``/``check_*`` functions are what the admin form shows before saving and what
every action here (and the bulk create of :mod:`.bulk`) calls again: one rule, one place.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from agora.accounts.actors import MemberProblem, find_member
from agora.accounts.roles import Role
from agora.audit.actions import record_action
from agora.errors import NOT_FOUND, DomainError
from agora.ids import id_or_not_found
from agora.names import clean_name
from tenants.networkmap.actions.checks import (
    apply_changes,
    check_acting_user,
    check_fields,
    check_required_text,
    municipality_here,
)
from tenants.networkmap.errors import (
    INVALID_CBS_CODE,
    INVALID_EMAIL,
    KEY_FIGURE_NOT_ALLY,
    NAME_REQUIRED,
    RESIDENCE_CONFLICT,
    USER_ALREADY_LINKED,
    USER_NOT_ALLY_MEMBER,
)
from tenants.networkmap.models import KeyFigure
from tenants.networkmap.phones import normalise_phone

MUNICIPALITY_CODE = re.compile(r"^GM\d{4}$")

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


def clean_key_figure_data(data: Mapping[str, Any]) -> dict[str, Any]:
    """Normalise and check key figure input field by field (also used by the admin form).

    The mobile number is stored in E.164 so that matching (the two nomination lists) and
    calling work; a CBS code equal to this municipality's own means "lives here" and is stored
    empty, as the model documents.
    """
    check_fields(data, KEY_FIGURE_FIELDS)
    cleaned = dict(data)
    for name in ("first_name", "infix", "last_name", "represents"):
        if name in cleaned:
            # One rule for names everywhere (API, admin, imports): agora.names.
            cleaned[name] = clean_name(cleaned[name] or "", name)
    check_required_text(cleaned, "first_name")
    check_required_text(cleaned, "last_name")
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
        if code == municipality_here().cbs_code:
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
    changed = apply_changes(key_figure, cleaned, skip={"communities"})
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


@transaction.atomic
def do_update_key_figure(key_figure: KeyFigure, changes: Mapping[str, Any], *, acting_user) -> KeyFigure:
    check_acting_user(acting_user)
    cleaned = clean_key_figure_data(changes)
    key_figure = KeyFigure.objects.select_for_update().get(pk=key_figure.pk)
    return _save_key_figure(key_figure, cleaned, acting_user=acting_user, created=False)


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
