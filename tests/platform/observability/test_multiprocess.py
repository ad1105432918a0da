"""Several web processes on one host: with PROMETHEUS_MULTIPROC_DIR, /metrics of any one of them
reports the sum, and a process that ended no longer counts its open sockets."""

from __future__ import annotations

import json
import os
import subprocess
import sys

WRITE = """
import os
from agora.observability import metrics
metrics.observe_request("/login/", "GET", 200, 0.01)
metrics.socket_opened("gm_utrecht", "crisis")
metrics.login_failed("bad_credentials")
"""

READ = """
import json
from prometheus_client.parser import text_string_to_metric_families
from agora.observability import metrics
metrics.socket_opened("gm_utrecht", "crisis")  # this reader's own socket, still open
body, _ = metrics.exposition()
samples = {}
for family in text_string_to_metric_families(body.decode()):
    for s in family.samples:
        samples[s.name + json.dumps(s.labels, sort_keys=True)] = s.value
print(json.dumps(samples))
"""


def _run(code: str, directory: str) -> str:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": directory}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_two_processes_add_up_and_a_dead_ones_sockets_do_not_count(tmp_path) -> None:
    directory = str(tmp_path)
    _run(WRITE, directory)
    _run(WRITE, directory)
    samples = json.loads(_run(READ, directory))
    requests = 'agora_http_requests_total{"method": "GET", "route": "/login/", "status": "2xx"}'
    assert samples[requests] == 2
    assert samples['agora_login_failures_total{"reason": "bad_credentials"}'] == 2
    # The two writers exited with a socket open each: only the reader's own is live.
    assert samples['agora_websocket_open_sockets{"kind": "crisis", "tenant": "gm_utrecht"}'] == 1
