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
    """Run the block on a default connection with ``synchronous_commit=off``, then go back.

    The connection is closed and reopened with the setting in its start-up options, so every
    statement of the block has it (processes forked inside, like the parallel migration's, too).
    """
    connection = connections["default"]
    options = connection.settings_dict.setdefault("OPTIONS", {})
    saved = options.get("options")
    connection.close()
    options["options"] = f"{saved} {NO_FLUSH_WAIT}" if saved else NO_FLUSH_WAIT
    try:
        yield
    finally:
        connection.close()
        if saved is None:
            options.pop("options", None)
        else:
            options["options"] = saved
