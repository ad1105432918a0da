"""Safe slugs and schema names derived from real municipality names.

Dutch names carry apostrophes ('s-Hertogenbosch), diacritics (Súdwest-Fryslân) and commas
(Nuenen, Gerwen en Nederwetten); hostile input may carry SQL. Only ``[a-z0-9_]`` ever reaches a
schema name, and the result always satisfies PostgreSQL's 63-byte identifier limit and
django-tenants' schema-name check.
"""

from __future__ import annotations

import re

from django.utils.text import slugify

from agora.municipalities.errors import MUNICIPALITY_NAME_UNUSABLE

SLUG_MAX = 50  # leaves room in a 63-character DNS label and in the schema name
SCHEMA_PREFIX = "gm_"  # never starts with pg_ (reserved) nor a digit


def derive_slug(name: str) -> str:
    """A DNS-label slug for a municipality name, e.g. "'s-Hertogenbosch" -> "s-hertogenbosch"."""
    # slugify keeps underscores, which a DNS label may not carry: they become hyphens.
    slug = slugify(name or "").replace("_", "-")
    slug = re.sub(r"-{2,}", "-", slug).strip("-")
    if len(slug) > SLUG_MAX:
        slug = slug[:SLUG_MAX].rsplit("-", 1)[0] if "-" in slug[:SLUG_MAX] else slug[:SLUG_MAX]
        slug = slug.strip("-")
    if not slug or not re.fullmatch(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?", slug):
        raise MUNICIPALITY_NAME_UNUSABLE(fields={"name": [name]}, name=name)
    return slug


def schema_name_for(slug: str) -> str:
    """The PostgreSQL schema name for a slug: ``gm_`` plus the slug with underscores."""
    if not re.fullmatch(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?", slug or "") or len(slug) > SLUG_MAX:
        raise MUNICIPALITY_NAME_UNUSABLE(fields={"slug": [slug]}, name=slug)
    return SCHEMA_PREFIX + slug.replace("-", "_")
