"""The escalation runner: unanswered leads go to their deputies on the clock, in every municipality.

:func:`tenants.crises.actions.do_escalate_unanswered` holds the rule; this module runs it. It
runs where the deployment runs anyway: a thread in every ``agora serve``/``agora demo`` process,
and in ``agora manage crisis_escalate --loop`` for a deployment that wants it on its own
(docker-compose's ``escalation`` service). However many run, each municipality's pass takes a
PostgreSQL advisory lock first (``pg_try_advisory_xact_lock``): a runner that does not get it
skips that municipality for this round, the one holding it does the work. The action's own
``SELECT ... FOR UPDATE SKIP LOCKED`` on the leads is the second guard, so a lead is never
escalated twice (ADR "escalation runner").

Time comes from a ``clock`` the caller may replace, so tests move the clock instead of sleeping.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

logger = logging.getLogger("agora.crises")

LOCK_NAMESPACE = "agora.crisis_escalate"


@dataclass(frozen=True)
class Pass:
    """What one round did: leads escalated, and the municipalities another runner was busy with."""

    escalated: int
    skipped: tuple[str, ...]


def _try_lock(schema_name: str) -> bool:
    """This transaction's advisory lock on one municipality's escalation (False: someone has it)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_try_advisory_xact_lock(hashtext(%s), hashtext(%s))", [LOCK_NAMESPACE, schema_name]
        )
        return bool(cursor.fetchone()[0])


def escalate_everywhere(now: dt.datetime | None = None) -> Pass:
    """One round over every municipality, each in its own transaction under its advisory lock."""
    from django_tenants.utils import tenant_context

    from agora.municipalities.models import Municipality
    from tenants.crises.actions import do_escalate_unanswered

    now = now or timezone.now()
    escalated = 0
    skipped = []
    connection.set_schema_to_public()
    municipalities = list(Municipality.objects.exclude(schema_name="public").order_by("pk"))
    for municipality in municipalities:
        with tenant_context(municipality), transaction.atomic():
            if not _try_lock(municipality.schema_name):
                skipped.append(municipality.schema_name)
                continue
            escalated += len(do_escalate_unanswered(now=now))
    connection.set_schema_to_public()
    return Pass(escalated, tuple(skipped))


class EscalationRunner:
    """A background thread that runs :func:`escalate_everywhere` every ``interval`` seconds.

    ``clock`` gives "now" for each round (``timezone.now`` unless a test controls it). ``passes``
    counts finished rounds and ``wait_for_passes`` lets a caller wait for the next one without
    guessing a sleep. A failing round is logged and the next one runs: the runner never dies of
    a database that was briefly away.
    """

    def __init__(
        self, *, interval: float, clock: Callable[[], dt.datetime] = timezone.now, name: str = "escalation"
    ) -> None:
        self.interval = float(interval)
        self.clock = clock
        self.passes = 0
        self.escalated = 0
        self._stop = threading.Event()
        self._done = threading.Condition()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def start(self) -> EscalationRunner:
        self._thread.start()
        return self

    def stop(self, timeout: float = 10) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def join(self) -> None:
        """Wait for the thread (the foreground ``crisis_escalate --loop`` runs until stopped)."""
        while self._thread.is_alive():
            self._thread.join(1)

    def wait_for_passes(self, count: int, timeout: float = 30) -> bool:
        """Block until at least ``count`` rounds have finished (False on timeout)."""
        with self._done:
            return self._done.wait_for(lambda: self.passes >= count, timeout)

    def _loop(self) -> None:
        from django.db import connections

        while not self._stop.is_set():
            try:
                done = escalate_everywhere(self.clock())
                self.escalated += done.escalated
                if done.escalated:
                    logger.info("Escalated %d crisis lead(s) to their deputies.", done.escalated)
            except DatabaseError as error:  # away or not migrated yet: one line, the next round retries
                logger.warning(
                    "escalation round skipped, database unavailable: %s", str(error).splitlines()[0]
                )
            except Exception:  # logged; the next round tries again
                logger.exception("escalation round failed")
            finally:
                connections.close_all()  # this thread's own connections; a new round opens fresh ones
            with self._done:
                self.passes += 1
                self._done.notify_all()
            self._stop.wait(self.interval)


def start_runner_if_enabled() -> EscalationRunner | None:
    """The served process's runner (``AGORA_ESCALATION_INTERVAL`` seconds; 0 turns it off)."""
    from django.conf import settings

    interval = settings.AGORA_ESCALATION_INTERVAL
    if interval <= 0:
        return None
    return EscalationRunner(interval=interval).start()
