"""The key figure list's filters, in one place for the API (``/api/v1/key-figures/``) and the pages.

Narrowing only: callers start from ``key_figures_visible_to`` (who may see what) and log the
records they actually show.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from tenants.networkmap.models import KeyFigure

NOMINATED_BY = ("municipality", "police", "both", "one")


def filter_key_figures(
    queryset: QuerySet[KeyFigure],
    *,
    neighbourhood: int | None = None,
    community: int | None = None,
    is_ally: bool | None = None,
    nominated_by: str | None = None,
    search: str = "",
) -> QuerySet[KeyFigure]:
    """Key figures living in ``neighbourhood``, in ``community``, allies or not, on whose list, by name."""
    if neighbourhood is not None:
        queryset = queryset.filter(neighbourhood_id=neighbourhood)
    if community is not None:
        queryset = queryset.filter(communities__id=community)
    if is_ally is not None:
        queryset = queryset.filter(is_ally=is_ally)
    if nominated_by == "municipality":
        queryset = queryset.filter(nominated_by_municipality=True)
    elif nominated_by == "police":
        queryset = queryset.filter(nominated_by_police=True)
    elif nominated_by == "both":
        queryset = queryset.filter(nominated_by_municipality=True, nominated_by_police=True)
    elif nominated_by == "one":
        queryset = queryset.filter(
            Q(nominated_by_municipality=True, nominated_by_police=False)
            | Q(nominated_by_municipality=False, nominated_by_police=True)
        )
    for word in (search or "").split():
        queryset = queryset.filter(
            Q(first_name__icontains=word) | Q(infix__icontains=word) | Q(last_name__icontains=word)
        )
    return queryset.distinct()
