"""Provisioning a municipality: validate, clone the template schema, add its domain, audit."""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django_tenants.clone import CloneSchema
from django_tenants.utils import schema_exists

from agora.audit.actions import record_action
from agora.dbroles import grant_app_role
from agora.geography.models import PoliceDistrict
from agora.municipalities.constraint_names import restore_constraint_names
from agora.municipalities.errors import (
    MUNICIPALITY_CODE_INVALID,
    MUNICIPALITY_CODE_TAKEN,
    MUNICIPALITY_NAME_EXISTS,
    MUNICIPALITY_NAME_TAKEN,
    MUNICIPALITY_NAME_TOO_LONG,
    MUNICIPALITY_SLUG_RESERVED,
)
from agora.municipalities.models import CBS_CODE_PATTERN, Domain, Municipality
from agora.municipalities.naming import derive_slug, schema_name_for
from agora.municipalities.template import ensure_template_schema, template_schema_name

logger = logging.getLogger(__name__)


def host_for(slug: str) -> str:
    """The host name of a municipality: ``<slug>.<AGORA_BASE_DOMAIN>``."""
    return f"{slug}.{settings.AGORA_BASE_DOMAIN}"


def link_for(slug: str | None, path: str) -> str:
    """An absolute link to ``path`` on a municipality's host (or the public host without ``slug``),
    for messages that leave the platform (calls, invitations): AGORA_URL_SCHEME and AGORA_URL_PORT."""
    host = host_for(slug) if slug else settings.AGORA_BASE_DOMAIN
    port = f":{settings.AGORA_URL_PORT}" if settings.AGORA_URL_PORT else ""
    return f"{settings.AGORA_URL_SCHEME}://{host}{port}{path}"


def normalise_cbs_code(code: str) -> str:
    """'GM0344' and ' gm0344 ' mean GM0344; anything but GM and four digits (not 0000) is refused.

    Short codes are not padded: 'GM34' is a typo as often as Almere (GM0034), and taking the
    wrong municipality's code is worse than asking again.
    """
    normalised = (code or "").strip().upper()
    if not re.match(CBS_CODE_PATTERN, normalised):
        raise MUNICIPALITY_CODE_INVALID(fields={"cbs_code": [code]}, code=code)
    return normalised


# Host labels the platform itself may need; no municipality takes them.
RESERVED_SLUGS = frozenset(
    {"www", "api", "admin", "static", "media", "mail", "public", "template", "localhost"}
)


def _refuse_collisions(*, name: str, code: str, slug: str, schema_name: str) -> None:
    """Refuse a municipality whose code, name, address or schema is already taken."""
    if other := Municipality.objects.filter(cbs_code=code).first():
        raise MUNICIPALITY_CODE_TAKEN(fields={"cbs_code": [code]}, code=code, other=other.name)
    if other := Municipality.objects.filter(name__iexact=name).first():
        raise MUNICIPALITY_NAME_EXISTS(fields={"name": [name]}, name=name, other=other.cbs_code)
    other = (
        Municipality.objects.filter(slug=slug).first()
        or Municipality.objects.filter(schema_name=schema_name).first()
    )
    if (
        other
        or schema_exists(schema_name, case_sensitive=False)
        or Domain.objects.filter(domain=host_for(slug)).exists()
    ):
        raise MUNICIPALITY_NAME_TAKEN(
            fields={"name": [name]}, slug=slug, other=other.name if other else schema_name
        )


def checked_identity(*, name: str, cbs_code: str, slug: str | None) -> tuple[str, str, str, str]:
    """A new municipality's name, CBS code, slug and schema name, checked and normalised.

    Provisioning and restoring a backup (agora.municipalities.restore) both take a new identity.
    """
    name = (name or "").strip()
    name_limit = Municipality._meta.get_field("name").max_length
    if len(name) > name_limit:
        raise MUNICIPALITY_NAME_TOO_LONG(fields={"name": [name[:50] + "…"]}, limit=name_limit)
    code = normalise_cbs_code(cbs_code)
    slug = derive_slug(slug or name)
    if slug in RESERVED_SLUGS:
        raise MUNICIPALITY_SLUG_RESERVED(fields={"slug": [slug]}, slug=slug)
    return name, code, slug, schema_name_for(slug)


def lock_and_refuse_collisions(*, name: str, code: str, slug: str, schema_name: str) -> None:
    """Inside the caller's transaction: take the provisioning lock, then refuse what is taken.

    One provisioning (or restore) at a time: the checks and the inserts must not interleave.
    """
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('agora.provision_municipality'))")
    _refuse_collisions(name=name, code=code, slug=slug, schema_name=schema_name)


def provision_municipality(
    *,
    name: str,
    cbs_code: str,
    district: PoliceDistrict,
    slug: str | None = None,
    acting_user=None,
) -> Municipality:
    """Create a municipality with its own schema, cloned from the template.

    Everything happens in one transaction (PostgreSQL DDL is transactional): a failure leaves
    no row, no schema and no domain behind.
    """
    name, code, slug, schema_name = checked_identity(name=name, cbs_code=cbs_code, slug=slug)

    ensure_template_schema()
    try:
        with transaction.atomic():
            lock_and_refuse_collisions(name=name, code=code, slug=slug, schema_name=schema_name)
            municipality = Municipality.objects.create(
                name=name, cbs_code=code, slug=slug, district=district, schema_name=schema_name
            )
            CloneSchema().clone_schema(template_schema_name(), schema_name, "DATA")
            restore_constraint_names(template_schema_name(), schema_name)
            Domain.objects.create(domain=host_for(slug), tenant=municipality, is_primary=True)
            # Default privileges cover a schema the owner creates; granting here as well keeps
            # a schema cloned by another role usable by the application too.
            with connection.cursor() as cursor:
                grant_app_role(cursor, schemas=[schema_name])
            record_action(
                "municipality.provisioned",
                actor=acting_user,
                municipality=municipality,
                detail={"cbs_code": code, "schema": schema_name},
            )
    except IntegrityError as error:  # a row that appeared outside this lock (e.g. the admin)
        raise MUNICIPALITY_NAME_TAKEN(fields={"name": [name]}, slug=slug, other=schema_name) from error
    logger.info("Provisioned %s as schema %s", municipality, schema_name)
    return municipality
