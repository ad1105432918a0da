"""Communities (gemeenschappen): the municipality's own list that key figures belong to."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from agora.audit.actions import record_action
from agora.names import clean_name
from tenants.networkmap.actions.checks import (
    apply_changes,
    check_acting_user,
    check_fields,
    check_required_text,
    check_unique,
)
from tenants.networkmap.errors import IN_USE, INVALID_COMMUNITY_KIND
from tenants.networkmap.models import Community, CommunityKind

COMMUNITY_FIELDS = frozenset({"kind", "name"})


def _community_kind(kind: Any) -> str:
    if kind not in CommunityKind.values:
        raise INVALID_COMMUNITY_KIND(fields={"kind": [str(kind)]}, kind=kind)
    return kind


@transaction.atomic
def do_create_community(data: Mapping[str, Any], *, acting_user) -> Community:
    """A community on this municipality's own list."""
    check_acting_user(acting_user)
    check_fields(data, COMMUNITY_FIELDS)
    check_required_text({"name": data.get("name", "")}, "name")
    name = clean_name(data["name"], "name")
    kind = _community_kind(data.get("kind"))
    check_unique(Community, exclude_pk=None, kind=kind, name__iexact=name)
    community = Community.objects.create(kind=kind, name=name)
    record_action("networkmap.community.created", actor=acting_user, obj=community)
    return community


@transaction.atomic
def do_update_community(community: Community, changes: Mapping[str, Any], *, acting_user) -> Community:
    check_acting_user(acting_user)
    check_fields(changes, COMMUNITY_FIELDS)
    check_required_text(changes, "name")
    community = Community.objects.select_for_update().get(pk=community.pk)
    changes = dict(changes)
    if "name" in changes:
        changes["name"] = clean_name(changes["name"], "name")
    kind = _community_kind(changes.get("kind", community.kind))
    name = changes.get("name", community.name)
    check_unique(Community, exclude_pk=community.pk, kind=kind, name__iexact=name)
    changed = apply_changes(community, changes)
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
