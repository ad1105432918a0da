"""Backing up one municipality: a pg_dump of its schema only, and a manifest beside it.

``FILE`` is pg_dump's custom format (``-Fc``: compressed, and pg_restore can pick sections
from it, which the restore needs). ``FILE.json`` says what the dump is: the municipality, its
police district, the migrations its schema had, its memberships (ids, user ids and roles only:
restore re-links its history to them) and the dump's SHA-256, so that a restore refuses a file
that is not the one the manifest describes. See docs/adr/0020-tenant-lifecycle.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from agora.accounts.models import Membership
from agora.audit.actions import record_action
from agora.errors import DomainError
from agora.migration_state import recorded_migrations
from agora.municipalities.errors import BACKUP_UNREADABLE, MUNICIPALITY_UNKNOWN
from agora.municipalities.models import Municipality
from agora.municipalities.pg_client import run_client

MANIFEST_FORMAT = "agora-municipality-backup"
MANIFEST_VERSION = 1


@dataclass(frozen=True)
class Manifest:
    slug: str
    name: str
    cbs_code: str
    schema: str
    unit: str
    district: str
    migrations: list[list[str]]  # [app, name], sorted
    memberships: list[dict[str, Any]]  # {"id", "user_id", "role"}
    created_at: str
    sha256: str
    pg_dump: str
    format: str = MANIFEST_FORMAT
    version: int = MANIFEST_VERSION
    dump: str = field(default="")

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False) + "\n"


def manifest_path(dump: Path) -> Path:
    """``FILE.json`` beside ``FILE``."""
    return dump.with_name(dump.name + ".json")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def municipality_by_slug(slug: str) -> Municipality:
    connection.set_schema_to_public()
    municipality = Municipality.objects.filter(slug=slug).select_related("district__unit").first()
    if municipality is None:
        raise MUNICIPALITY_UNKNOWN(fields={"slug": [slug]}, slug=slug)
    return municipality


def do_back_up_municipality(slug: str, output: Path, *, acting_user=None) -> Manifest:
    """Dump ``slug``'s schema to ``output`` and write ``output.json``; audit the backup.

    The dump is one consistent snapshot (pg_dump runs in one repeatable-read transaction); the
    manifest's public rows are read just after it. Runs as whichever role the caller's block
    connects as: the commands use the owner, which can read every table of the schema.
    """
    municipality = municipality_by_slug(slug)
    output = Path(output)
    if not output.parent.is_dir():
        raise BACKUP_UNREADABLE(path=str(output), reason="its folder does not exist")
    schema = municipality.schema_name
    existed = output.exists()
    try:
        run_client(
            "pg_dump",
            ["--format=custom", f"--schema={schema}", "--no-owner", "--no-acl", f"--file={output}"],
        )
    except DomainError:
        if not existed:  # a failed dump leaves no empty or partial file that looks like a backup
            output.unlink(missing_ok=True)
        raise
    migrations = recorded_migrations(schema) or set()
    memberships = [
        {"id": pk, "user_id": user_id, "role": role}
        for pk, user_id, role in Membership.objects.filter(municipality=municipality)
        .order_by("pk")
        .values_list("pk", "user_id", "role")
    ]
    manifest = Manifest(
        slug=municipality.slug,
        name=municipality.name,
        cbs_code=municipality.cbs_code,
        schema=schema,
        unit=municipality.district.unit.name,
        district=municipality.district.name,
        migrations=sorted([app, name] for app, name in migrations),
        memberships=memberships,
        created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        sha256=file_sha256(output),
        pg_dump=run_client("pg_dump", ["--version"]).decode().strip(),
        dump=output.name,
    )
    manifest_path(output).write_text(manifest.to_json(), encoding="utf-8")
    with transaction.atomic():
        record_action(
            "municipality.backed_up",
            actor=acting_user,
            municipality=municipality,
            detail={"schema": schema, "sha256": manifest.sha256, "memberships": len(memberships)},
        )
    return manifest


def read_manifest(dump: Path) -> Manifest:
    """The manifest beside ``dump``, checked: the right format, and the dump it describes."""
    dump = Path(dump)
    path = manifest_path(dump)
    if not dump.is_file() or not path.is_file():
        raise BACKUP_UNREADABLE(path=str(dump), reason=f"{dump.name} and {path.name} must both exist")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        manifest = Manifest(**data)
    except (ValueError, TypeError) as error:
        raise BACKUP_UNREADABLE(path=str(path), reason="the manifest is not valid") from error
    if manifest.format != MANIFEST_FORMAT or manifest.version != MANIFEST_VERSION:
        raise BACKUP_UNREADABLE(path=str(path), reason=f"unknown format {manifest.format} {manifest.version}")
    if file_sha256(dump) != manifest.sha256:
        raise BACKUP_UNREADABLE(path=str(dump), reason="its checksum differs from the manifest's")
    return manifest
