"""``agora manage crisis_escalate [--loop SECONDS]``: escalate unanswered leads to their deputies.

Once, or every ``--loop`` seconds in the foreground (docker-compose's ``escalation`` service).
``agora serve`` runs the same runner in a thread already; any number of them may run at once,
the advisory lock of each municipality's round keeps it to one (``tenants.crises.escalation``).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from tenants.crises.escalation import EscalationRunner, escalate_everywhere


class Command(BaseCommand):
    help = "Escalate crisis leads who did not answer in time to their deputies."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--loop", type=float, default=0, help="repeat every SECONDS (0: once)")

    def handle(self, *args, loop: float = 0, **options) -> None:
        if loop < 0:
            raise CommandError("--loop must be 0 (once) or a number of seconds")
        if not loop:
            done = escalate_everywhere()
            if done.escalated:
                self.stdout.write(f"Escalated {done.escalated} lead(s).")
            if done.skipped:
                self.stdout.write(f"Another runner was busy with: {', '.join(done.skipped)}.")
            return
        self.stdout.write(f"Escalating every {loop:g} s (Ctrl-C or SIGTERM to stop).")
        runner = EscalationRunner(interval=loop).start()
        try:
            runner.join()
        finally:
            runner.stop()
