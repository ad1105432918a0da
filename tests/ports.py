"""Ports for the servers a test starts itself (daphne, the demo, a Redis or a sentinel of its own)."""

from __future__ import annotations

import os
import socket

_handed_out: set[int] = set()


def free_port() -> int:
    """A port nothing listens on: the kernel's choice, or one of ``AGORA_TEST_PORTS`` (``8300-8399``)
    when set, for machines where each checkout's tests keep to a range of their own. In the range,
    pytest-xdist's workers take every n-th port and none is handed out twice: a daphne binds its
    port seconds after it was chosen, and another server must not take it meanwhile."""
    first, _, last = os.environ.get("AGORA_TEST_PORTS", "").partition("-")
    candidates = [0]
    if first:
        worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
        workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
        ports = range(int(first), int(last or first) + 1)
        candidates = [
            port for port in ports if port % workers == worker % workers and port not in _handed_out
        ]
    for candidate in candidates:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            _handed_out.add(port := sock.getsockname()[1])
            return port
    raise AssertionError(f"no free port left in AGORA_TEST_PORTS={os.environ['AGORA_TEST_PORTS']}")
