"""The API half of ``python -m bench load``: what a municipality's staff and their tools do in a crisis.

Run by ``bench/load.py`` as ``locust --headless`` in a process of its own (locust's gevent must not
share a process with the asyncio sockets). Everything comes from the environment the bench sets:
``AGORA_LOAD_HOST`` (the municipality's host name, sent as ``Host``), ``AGORA_LOAD_TOKEN`` (an
official's API token) and ``AGORA_LOAD_CRISIS`` (the open crisis whose room the sockets sit in).

The mix leans on reads, as a crisis does (the roll-call, the log, the map of the neighbourhood),
with a steady trickle of writes through the REST twin of the room (``POST .../messages/``), so the
sockets receive what the API writes.
"""

from __future__ import annotations

import os
import random
import uuid

from locust import FastHttpUser, between, task

HOST = os.environ.get("AGORA_LOAD_HOST", "")
TOKEN = os.environ.get("AGORA_LOAD_TOKEN", "")
CRISIS = os.environ.get("AGORA_LOAD_CRISIS", "")


class Official(FastHttpUser):
    """An official with the API open: reads the room and the map, posts now and then."""

    wait_time = between(0.2, 1.0)

    def on_start(self) -> None:
        self.headers = {"Host": HOST, "Authorization": f"Token {TOKEN}", "Accept": "application/json"}
        self.after = 0

    def _get(self, path: str, name: str) -> None:
        self.client.get(path, headers=self.headers, name=name)

    @task(4)
    def crisis_events(self) -> None:
        # What a client without a socket polls: every event after the last one it saw.
        with self.client.get(
            f"/api/v1/crises/{CRISIS}/events/?after={self.after}",
            headers=self.headers,
            name="/api/v1/crises/<id>/events/",
            catch_response=True,
        ) as response:
            if response.status_code == 200:
                page = response.json()
                # Poll from where the page ends; a client catching up reads on while "more".
                self.after = page["events"][-1]["seq"] if page["events"] else self.after
                response.success()

    @task(2)
    def crisis(self) -> None:
        self._get(f"/api/v1/crises/{CRISIS}/", "/api/v1/crises/<id>/")

    @task(2)
    def crises(self) -> None:
        self._get("/api/v1/crises/", "/api/v1/crises/")

    @task(2)
    def councils(self) -> None:
        self._get("/api/v1/councils/", "/api/v1/councils/")

    @task(1)
    def council_health(self) -> None:
        self._get("/api/v1/councils/health/", "/api/v1/councils/health/")

    @task(2)
    def neighbourhoods(self) -> None:
        self._get("/api/v1/neighbourhoods/", "/api/v1/neighbourhoods/")

    @task(1)
    def communities(self) -> None:
        self._get("/api/v1/communities/", "/api/v1/communities/")

    @task(1)
    def post_message(self) -> None:
        # The same idempotency as the socket: a retried id creates nothing new.
        self.client.post(
            f"/api/v1/crises/{CRISIS}/messages/",
            json={"client_msg_id": str(uuid.uuid4()), "body": random.choice(BODIES)},
            headers=self.headers,
            name="/api/v1/crises/<id>/messages/",
        )


BODIES = (
    "Situatie op het plein: rustig.",
    "Groep jongeren bij het winkelcentrum, wijkagent gaat erheen.",
    "Bondgenoot belt: onrust na het bericht op sociale media.",
)
