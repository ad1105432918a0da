"""The channel layer in use, and the one warning that the in-memory layer gives."""

from __future__ import annotations

import logging
import sys

from django.conf import settings

logger = logging.getLogger("agora")

_warned = False


def warn_if_in_memory_layer(*, to_stderr: bool = False) -> None:
    """Warn once per process that without Redis (REDIS_URL or AGORA_REDIS_SENTINELS) the layer
    serves this one process only.

    ``agora demo``/``serve`` print it at start-up (before the logs begin); an ASGI server started
    some other way gets it in the log when the application is built.
    """
    global _warned
    if settings.REDIS_CONFIGURED or _warned:
        return
    _warned = True
    if to_stderr:
        print(f"WARNING: {settings.IN_MEMORY_CHANNEL_LAYER_WARNING}", file=sys.stderr, flush=True)
    else:
        logger.warning(settings.IN_MEMORY_CHANNEL_LAYER_WARNING)
