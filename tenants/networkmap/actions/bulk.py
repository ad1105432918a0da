"""Key figures by the thousand (a nomination list): every check of the single create, few writes.

:func:`prepare_key_figure` runs the checks of :mod:`.key_figures` without writing, so a bad row
fails the whole file before anything is written; :func:`do_create_key_figures` then writes the
same rows and audit rows as one create per person would, in a handful of statements.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction

from agora.accounts.actors import forget_actors
from agora.audit.actions import record_actions
from tenants.networkmap.actions.checks import apply_changes, check_acting_user, municipality_here
from tenants.networkmap.actions.key_figures import check_ally_rules, check_key_figure, clean_key_figure_data
from tenants.networkmap.models import Community, KeyFigure


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
    changed = apply_changes(figure, cleaned, skip={"communities"})
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
        municipality=municipality_here(),
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
