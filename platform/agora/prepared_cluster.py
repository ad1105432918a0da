"""A prepared embedded cluster: initdb'ed and migrated once, copied into every fresh data folder.

A first ``agora demo`` on a fresh data folder spent a third of its start on ``initdb`` and on
running every migration of the public and the template schema, work whose result is the same
for every data folder of one version of the code. The first such start keeps a copy of its
cluster right after migrating (before any demo data exists; the server is stopped cleanly for the
copy and started again) in a cache folder; later first starts copy it into their fresh data
folder instead of running ``initdb`` and the migrations (docs/adr/0024-fast-first-start-of-the-demo.md).

The copy is keyed by everything that decides what the migrations make: the project's migration
files, the template schema's name, the role grants, and the name and version of every installed
distribution (Django's and the other apps' migrations, the PostgreSQL binaries). A changed key
is a new copy; the old one is removed. Whatever the key misses, ``agora demo`` still compares the
cluster's recorded migrations with the code's (``agora.migration_state``) and migrates what lacks.

Only the demo uses it: ``agora demo`` sets ``AGORA_CLUSTER_CACHE`` (default: the user's cache
folder, ``~/.cache/agora/clusters`` on Linux) unless it is set already; empty turns it off.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import logging
import os
import shutil
import tempfile
import threading
from pathlib import Path

logger = logging.getLogger(__name__)

ENVIRONMENT = "AGORA_CLUSTER_CACHE"
FORMAT = b"agora-prepared-cluster-v1\n"
# pgserver's handle list and log, and a running server's files: no other data folder needs them.
NOT_COPIED = (".handle_pids.json", "log", "postmaster.pid", "postmaster.opts")
# The packages whose migrations and grants decide the prepared cluster's contents.
PROJECT_PACKAGES = ("agora", "tenants")
GRANT_MODULES = ("dbroles.py", "embedded.py")


def default_cache_folder() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("agora")) / "clusters"


def cache_folder() -> Path | None:
    """The folder of prepared clusters, or None when they are off (``AGORA_CLUSTER_CACHE`` unset or empty)."""
    value = os.environ.get(ENVIRONMENT, "")
    return Path(value).expanduser().resolve() if value else None


def _package_folder(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    locations = list(spec.submodule_search_locations or []) if spec else []
    return Path(locations[0]) if locations else None


def cluster_key(postgres_version: int) -> str:
    """A digest of what decides the migrated cluster's contents (read from files, before Django starts)."""
    digest = hashlib.sha256(FORMAT)
    digest.update(f"postgres {postgres_version}\n".encode())
    digest.update(f"template {os.environ.get('AGORA_TEMPLATE_SCHEMA', '')}\n".encode())
    distributions = {(d.metadata["Name"] or "", d.version) for d in importlib.metadata.distributions()}
    for name, version in sorted(distributions):
        digest.update(f"{name}=={version}\n".encode())
    for package in PROJECT_PACKAGES:
        folder = _package_folder(package)
        if folder is None:
            continue
        files = sorted(folder.rglob("migrations/*.py"))
        if package == "agora":
            files += [folder / name for name in GRANT_MODULES]
        for path in files:
            digest.update(f"{path.relative_to(folder)}\n".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:24]


def prepared_cluster(key: str) -> Path | None:
    """The prepared cluster of ``key`` in the cache folder, if there is one."""
    folder = cache_folder()
    found = folder / key if folder else None
    return found if found is not None and (found / "PG_VERSION").exists() else None


def restore(key: str, pgdata: Path, owner: str | None = None) -> bool:
    """Copy the prepared cluster of ``key`` into the empty ``pgdata``; False if there is none.

    ``owner`` is the system user postgres runs as (pgserver's ``pgserver`` when started as root);
    the copied files are given to it, as ``initdb`` would have made them.
    """
    source = prepared_cluster(key)
    if source is None or any(pgdata.iterdir()):
        return False
    shutil.copytree(source, pgdata, symlinks=True, dirs_exist_ok=True)
    pgdata.chmod(0o700)
    if owner:
        import pwd

        entry = pwd.getpwnam(owner)
        for path in _tree(pgdata):
            os.chown(path, entry.pw_uid, entry.pw_gid, follow_symlinks=False)
    # initdb flushes what it writes; so is the copy, but beside the start, not before it.
    threading.Thread(target=_flush, args=(pgdata,), name="flush-prepared-cluster", daemon=True).start()
    logger.info("Data folder started from the prepared cluster %s", source)
    return True


def _tree(root: Path) -> list[Path]:
    paths = [root]
    for folder, dirs, files in os.walk(root):
        paths += [Path(folder) / name for name in (*dirs, *files)]
    return paths


def _flush(root: Path) -> None:
    """fsync every copied file, then the folders: the copy is on disk, as initdb's files would be."""
    for path in sorted(_tree(root), key=lambda p: p.is_dir()):
        if path.is_symlink():
            continue
        try:
            descriptor = os.open(path, os.O_RDONLY)
        except OSError:  # removed meanwhile (a WAL segment recycled): nothing to flush
            continue
        try:
            os.fsync(descriptor)
        except OSError:
            pass
        finally:
            os.close(descriptor)


def save(key: str, pgdata: Path) -> Path | None:
    """Copy the stopped cluster in ``pgdata`` into the cache as ``key`` (None if off or already kept).

    Called with the server cleanly stopped right after the migrations of a fresh data folder,
    before any data is loaded (``agora.embedded.keep_prepared_cluster``): a cleanly shut down
    copy starts without crash recovery. It is made next to its final place and renamed into it,
    so a concurrent first start sees either no prepared cluster or a whole one. Other keys'
    clusters are removed: one version of the code is kept.
    """
    folder = cache_folder()
    if folder is None or prepared_cluster(key) is not None:
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=folder))
    except OSError as error:
        logger.warning("Could not keep a prepared cluster in %s: %s", folder, error)
        return None
    try:
        shutil.copytree(
            pgdata, building, symlinks=True, dirs_exist_ok=True, ignore=shutil.ignore_patterns(*NOT_COPIED)
        )
        building.rename(folder / key)
    except OSError as error:  # a saving, never a need
        logger.warning("Could not keep a prepared cluster in %s: %s", folder, error)
        return None
    finally:
        shutil.rmtree(building, ignore_errors=True)  # already gone once renamed
    for other in folder.iterdir():
        if other.name != key and not other.name.startswith("."):
            shutil.rmtree(other, ignore_errors=True)
    logger.info("Kept a prepared cluster for later first starts in %s", folder / key)
    return folder / key
