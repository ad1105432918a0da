"""The demo's set-up session: commits that do not wait for the disk.

``agora demo`` migrates and loads its data in thousands of small transactions (one per migration,
one per demo record an action writes), and by default every commit waits for its WAL to be flushed
to disk. ``synchronous_commit=off`` lets a commit return before that flush. It is crash-safe: a
crash of the machine can lose the last few hundred milliseconds of commits, never corrupt the
cluster or leave a transaction half-applied (unlike ``fsync=off``, which is never used here); and
the demo's load is idempotent, so the next start completes whatever was lost. Only the set-up's
connections have it, never a request's.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.db import connections

NO_FLUSH_WAIT = "-c synchronous_commit=off"


@contextlib.contextmanager
def loading_session() -> Iterator[None]:
    """Run the block with ``synchronous_commit=off`` on the default connection, then go back.

    New connections get it in their start-up options (processes forked inside, like the parallel
    migration's and the demo's workers, open their own); an open one gets ``SET``. Afterwards a
    connection opened meanwhile is closed (the next query reopens it without), or, inside a
    transaction that must not lose its connection, set back.
    """
    connection = connections["default"]
    options = connection.settings_dict.setdefault("OPTIONS", {})
    saved = options.get("options")
    options["options"] = f"{saved} {NO_FLUSH_WAIT}" if saved else NO_FLUSH_WAIT
    before = "on"  # PostgreSQL's default, for a connection opened inside the block
    if connection.connection is not None:
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            before = cursor.fetchone()[0]
            cursor.execute("SET synchronous_commit = off")
    try:
        yield
    finally:
        if saved is None:
            options.pop("options", None)
        else:
            options["options"] = saved
        if connection.connection is not None:
            if connection.in_atomic_block:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT set_config('synchronous_commit', %s, false)", [before])
            else:
                connection.close()
