"""Merging the two lists' people: staff confirm a candidate match (one person) or reject it (two).

A name-only resemblance across the lists is never merged by the import; the comparison
(``tenants.nominations.comparison``) shows it as ambiguous, and staff decide here. A merge keeps
both lists' entries, moves everything that pointed at the absorbed key figure to the kept one,
and is refused whole (``nomination_match_conflict``, 409) when that would break another part of
the product's rules. It takes the same lock as an import: both feed the same key figures.
"""

from __future__ import annotations

import copy
from typing import Any

from django.db import IntegrityError, transaction

from agora.audit.actions import record_action
from agora.errors import NOT_FOUND, DomainError
from agora.ids import id_or_not_found
from tenants.networkmap.actions import check_acting_user, do_update_key_figure
from tenants.networkmap.models import KeyFigure
from tenants.nominations import errors
from tenants.nominations.comparison import list_memberships
from tenants.nominations.importing import lock_lists
from tenants.nominations.models import RejectedMatch, Source
from tenants.nominations.names import name_similarity
from tenants.nominations.recognition import name_parts
from tenants.selection.rules import check_ally_invariants


def _pair(municipality_key_figure_id: int, police_key_figure_id: int) -> tuple[KeyFigure, KeyFigure]:
    """The two key figures, locked: the first on the municipality's list, the second on the police's.

    Ids are read with ``agora.ids`` (ASCII digits only); one that cannot be an id is ``not_found``.
    """
    municipality_key_figure_id = id_or_not_found(municipality_key_figure_id)
    police_key_figure_id = id_or_not_found(police_key_figure_id)
    if municipality_key_figure_id == police_key_figure_id:
        raise errors.MATCH_INVALID(fields={"police_key_figure": [police_key_figure_id]})
    figures = {
        f.pk: f
        for f in KeyFigure.objects.select_for_update().filter(
            pk__in=[municipality_key_figure_id, police_key_figure_id]
        )
    }
    if len(figures) != 2:
        raise NOT_FOUND()
    on_list = list_memberships(figures.keys())
    if (
        Source.MUNICIPALITY.value not in on_list[municipality_key_figure_id]
        or Source.POLICE.value not in on_list[police_key_figure_id]
    ):
        raise errors.MATCH_INVALID(
            fields={
                "municipality_key_figure": [municipality_key_figure_id],
                "police_key_figure": [police_key_figure_id],
            }
        )
    return figures[municipality_key_figure_id], figures[police_key_figure_id]


def _survivor(a: KeyFigure, b: KeyFigure) -> tuple[KeyFigure, KeyFigure]:
    """(kept, absorbed): keep the ally, else the one with a login, else the older record."""

    def rank(figure: KeyFigure) -> tuple[int, int, int]:
        return (0 if figure.is_ally else 1, 0 if figure.user_id else 1, figure.pk)

    kept, absorbed = sorted((a, b), key=rank)
    return kept, absorbed


# Filled on the kept record from the absorbed one when the kept one has none.
_MERGE_FILL = ("infix", "mobile", "email", "represents")


@transaction.atomic
def do_confirm_match(municipality_key_figure_id: int, police_key_figure_id: int, *, acting_user) -> KeyFigure:
    """Staff say these are one person: merge the two key figures into one on both lists.

    Both lists' entries stay (now pointing at the kept key figure), so nothing either list said
    is lost. The kept record's values win; it takes over what it lacks. The field changes go
    through the network map's ``do_update_key_figure`` (its rules, its audit row). Everything else
    that pointed at the absorbed key figure (contacts, selection, council seats, ...) is moved
    to the kept one; if that would break a rule of another part of the product (say, both are
    in an open selection case, or an ally would become a professional representative or live
    outside the municipality) the merge is refused with ``nomination_match_conflict`` (409) and
    nothing changes. Only staff of this municipality merge (``permission_denied``).
    """
    check_acting_user(acting_user)
    lock_lists()
    municipality_figure, police_figure = _pair(municipality_key_figure_id, police_key_figure_id)
    score = name_similarity(name_parts(municipality_figure), name_parts(police_figure))
    kept, absorbed = _survivor(municipality_figure, police_figure)
    changes: dict[str, Any] = {"nominated_by_municipality": True, "nominated_by_police": True}
    conflicts = []
    for name in _MERGE_FILL:
        mine, theirs = getattr(kept, name), getattr(absorbed, name)
        if not mine and theirs:
            changes[name] = theirs
        elif mine and theirs and theirs != mine:
            conflicts.append(name)  # the kept value stays; the other remains on its list entry
    # Where someone lives is one fact: a neighbourhood here or a municipality elsewhere, taken as a pair.
    if not kept.neighbourhood_id and not kept.residence_cbs_code:
        changes["neighbourhood"] = absorbed.neighbourhood
        changes["residence_cbs_code"] = absorbed.residence_cbs_code
    if absorbed.influence_notes and absorbed.influence_notes not in kept.influence_notes:
        changes["influence_notes"] = "\n\n".join(
            filter(None, [kept.influence_notes, absorbed.influence_notes])
        )
    if absorbed.is_professional_representative:
        changes["is_professional_representative"] = True
    changes["communities"] = list({*kept.communities.all(), *absorbed.communities.all()})
    _check_merge_keeps_ally_rules(kept, absorbed, changes)
    # Not the map's to edit by hand (the selection and the contact log keep them), but they are
    # the same person's: the kept record takes the login and the latest contact.
    system = {}
    if absorbed.user_id and not kept.user_id:
        system["user_id"] = absorbed.user_id
    if absorbed.last_contact_on and (
        not kept.last_contact_on or absorbed.last_contact_on > kept.last_contact_on
    ):
        system["last_contact_on"] = absorbed.last_contact_on
    _move_rejections(kept, absorbed)
    _move_relations(kept, absorbed)
    kept = do_update_key_figure(kept, changes, acting_user=acting_user)
    if system:
        KeyFigure.objects.filter(pk=absorbed.pk).update(user=None)
        KeyFigure.objects.filter(pk=kept.pk).update(**system)
        kept.refresh_from_db()
    absorbed_pk = absorbed.pk
    absorbed.delete()
    record_action(
        "nominations.match_confirmed",
        actor=acting_user,
        obj=kept,
        detail={
            "municipality_key_figure": municipality_key_figure_id,
            "police_key_figure": police_key_figure_id,
            "kept": kept.pk,
            "absorbed": absorbed_pk,
            "name_score": score,
            "conflicting_fields": conflicts,
        },
    )
    return kept


def _check_merge_keeps_ally_rules(kept: KeyFigure, absorbed: KeyFigure, changes: dict[str, Any]) -> None:
    """Merging into (or from) an ally must leave an ally within the hard rules, or it is refused.

    Say the police's record says "professional organisation" or "lives in Amersfoort" and the
    municipality's is an ally: the merged record would be a professional or non-resident ally.
    Refused with ``nomination_match_conflict`` (409) before anything changes.
    """
    if not (kept.is_ally or absorbed.is_ally):
        return
    preview = copy.copy(kept)
    preview.is_ally = True
    for name, value in changes.items():
        if name != "communities":
            setattr(preview, name, value)
    try:
        check_ally_invariants(preview)
    except DomainError as error:
        raise errors.MATCH_CONFLICT(fields={"rule": [error.code]}, reason=error.message()) from error


def _move_rejections(kept: KeyFigure, absorbed: KeyFigure) -> None:
    """Rejections of the absorbed record become the kept one's (the pair just merged is dropped)."""
    RejectedMatch.objects.filter(
        municipality_key_figure__in=[kept, absorbed], police_key_figure__in=[kept, absorbed]
    ).delete()
    roles = ("municipality_key_figure", "police_key_figure")
    for role, other in (roles, roles[::-1]):
        for rejection in RejectedMatch.objects.filter(**{role: absorbed}):
            duplicate = RejectedMatch.objects.filter(**{role: kept, other: getattr(rejection, f"{other}_id")})
            if duplicate.exists():
                rejection.delete()
            else:
                setattr(rejection, role, kept)
                rejection.save(update_fields=[role])


def _move_relations(kept: KeyFigure, absorbed: KeyFigure) -> None:
    """Point every other record that refers to ``absorbed`` at ``kept``, or refuse the merge."""
    for relation in KeyFigure._meta.related_objects:
        model = relation.related_model
        if model is RejectedMatch:
            continue
        try:
            with transaction.atomic():
                if relation.many_to_many:
                    through = relation.through
                    to_figure = relation.field.m2m_reverse_field_name()
                    to_owner = relation.field.m2m_field_name()
                    owned = through._base_manager.filter(**{to_figure: kept})
                    already = set(owned.values_list(f"{to_owner}_id", flat=True))
                    links = through._base_manager.filter(**{to_figure: absorbed})
                    links.filter(**{f"{to_owner}_id__in": already}).delete()
                    links.update(**{to_figure: kept})
                else:
                    name = relation.field.name
                    if (
                        relation.one_to_one
                        and model._base_manager.filter(**{name: kept}).exists()
                        and model._base_manager.filter(**{name: absorbed}).exists()
                    ):
                        raise errors.MATCH_CONFLICT(reason=str(model._meta.verbose_name))
                    model._base_manager.filter(**{name: absorbed}).update(**{name: kept})
        except IntegrityError as error:
            raise errors.MATCH_CONFLICT(reason=str(model._meta.verbose_name)) from error


@transaction.atomic
def do_reject_match(
    municipality_key_figure_id: int, police_key_figure_id: int, *, acting_user, reason: str = ""
) -> RejectedMatch:
    """Staff say these are two different people: remember it, so the pair is not proposed again."""
    check_acting_user(acting_user)
    municipality_figure, police_figure = _pair(municipality_key_figure_id, police_key_figure_id)
    score = name_similarity(name_parts(municipality_figure), name_parts(police_figure))
    rejection, created = RejectedMatch.objects.get_or_create(
        municipality_key_figure=municipality_figure,
        police_key_figure=police_figure,
        defaults={
            "score": score,
            "rejected_by": acting_user if getattr(acting_user, "is_authenticated", False) else None,
            "reason": (reason or "")[:200],
        },
    )
    if created:
        record_action(
            "nominations.match_rejected",
            actor=acting_user,
            obj=rejection,
            detail={
                "municipality_key_figure": municipality_figure.pk,
                "police_key_figure": police_figure.pk,
                "name_score": score,
            },
        )
    return rejection
