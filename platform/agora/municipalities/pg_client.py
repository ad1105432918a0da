"""Running Debian's PostgreSQL client programs (pg_dump, pg_restore) against Django's database.

The connection comes from Django's settings of the default connection, as the block runs it
(inside :func:`agora.dbroles.as_owner` that is the owner role), and travels in ``PG*``
environment variables only: a password on a command line is readable by every user of the
machine (``ps``), the environment of a process is not.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from django.db import connections

from agora.municipalities.errors import LIFECYCLE_TOOL_FAILED

# Debian's client (package postgresql-client); PATH is the fallback for other systems.
CLIENT_FOLDER = Path("/usr/bin")
TIMEOUT_SECONDS = 3600


def client_program(name: str) -> str:
    """The absolute path of ``name`` (pg_dump or pg_restore) for the server in use.

    The embedded server's own programs when it is the database (a client older than the server
    refuses it); otherwise /usr/bin first, then PATH.
    """
    from agora import embedded

    own = embedded.client_folder()
    if own is not None and (own / name).is_file():
        return str(own / name)
    debian = CLIENT_FOLDER / name
    if debian.is_file():
        return str(debian)
    found = shutil.which(name)
    if not found:
        raise LIFECYCLE_TOOL_FAILED(tool=name, reason="not installed")
    return found


def client_environment() -> dict[str, str]:
    """The ``PG*`` variables for the default connection's current settings (owner or not)."""
    settings_dict = connections["default"].settings_dict
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    values = {
        "PGHOST": settings_dict.get("HOST") or "",
        "PGPORT": str(settings_dict.get("PORT") or ""),
        "PGUSER": settings_dict.get("USER") or "",
        "PGPASSWORD": settings_dict.get("PASSWORD") or "",
        "PGDATABASE": settings_dict.get("NAME") or "",
    }
    env.update({key: value for key, value in values.items() if value})
    return env


def run_client(name: str, arguments: Sequence[str]) -> bytes:
    """Run ``name`` with ``arguments`` (no shell); its standard output, or a clear domain error."""
    try:
        result = subprocess.run(
            [client_program(name), *arguments],
            env=client_environment(),
            capture_output=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise LIFECYCLE_TOOL_FAILED(tool=name, reason=type(error).__name__) from error
    if result.returncode != 0:
        last_line = (result.stderr.decode(errors="replace").strip().splitlines() or ["?"])[-1]
        raise LIFECYCLE_TOOL_FAILED(tool=name, reason=last_line[:300])
    return result.stdout
