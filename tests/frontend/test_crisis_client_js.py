"""The crisis-room ES module's own tests (tests/frontend/js/, ``node --test``), run from the suite.

The browser test proves the whole path once; these pin the protocol's corner cases (a gap, a
duplicate, an outbox across a reconnect and a reload, the final close codes, the back-off) with a
fake socket, in a second.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.services import IN_CI

JS_TESTS = Path(__file__).with_name("js")


def test_the_crisis_room_client_passes_its_node_tests() -> None:
    node = shutil.which("node")
    if node is None:
        message = "node is missing (apt-get install -y nodejs; .ci/run does)"
        pytest.fail(message) if IN_CI else pytest.skip(message)
    files = sorted(str(p) for p in JS_TESTS.glob("*.test.mjs"))
    assert files, "no JavaScript tests found"
    result = subprocess.run([node, "--test", *files], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "# fail 0" in result.stdout and "# pass 0" not in result.stdout
