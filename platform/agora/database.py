"""Creating the configured database when it does not exist yet.

``agora migrate``, ``agora demo`` and the bench may point at a fresh PostgreSQL server
(``DATABASE_URL=postgres://…/agora``) whose database has not been created. Rather than fail
with a traceback, they create it, the way the embedded server's database is created.
Production databases are normally created by the operator; without the right to create one,
nothing happens here and the usual connection error explains the problem.
"""

from __future__ import annotations

import logging
from typing import Any

import psycopg
from django.conf import settings
from psycopg import sql

logger = logging.getLogger(__name__)


def ensure_database(config: dict[str, Any] | None = None) -> bool:
    """Create the (default) database if missing; True if it had to be created."""
    config = config or settings.DATABASES["default"]
    params = {
        "dbname": "postgres",
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "connect_timeout": 5,
    }
    try:
        with psycopg.connect(**{k: v for k, v in params.items() if v is not None}, autocommit=True) as admin:
            if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone():
                return False
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
    except psycopg.Error as error:
        logger.debug("Could not check or create database %s: %s", config["NAME"], error)
        return False
    logger.info("Created database %s", config["NAME"])
    return True


def url_of(db: dict[str, Any]) -> str:
    """A ``DATABASE_URL`` for Django's connection settings ``db``, for a process started from here.

    The embedded server is reached over a Unix socket: its folder goes in the host part,
    percent-encoded (``%2F``), which ``dj_database_url`` reads back as a socket path. The
    user and password are encoded too, so any character in them survives.
    """
    from urllib.parse import quote

    user = quote(db.get("USER") or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    if host.startswith("/"):
        host = quote(host, safe="")
    return f"postgres://{user}{password}@{host}:{db.get('PORT') or 5432}/{quote(db['NAME'], safe='')}"
