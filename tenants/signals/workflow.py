"""Signal states, the transitions allowed between them and the actions that take them.

English value constants, Dutch labels via gettext. ``SIGNAL_WORKFLOW`` (an
:class:`agora.workflow.Workflow`) is the whole state machine; the actions lock the signal with
``agora.workflow.lock`` (``select_for_update``) and take their named step with
``SIGNAL_WORKFLOW.move``, so two officials cannot answer and close the same signal past each
other, and every change of state is appended to the signal's history (``SignalStatusChange``).

The method's reciprocity lesson shapes the table: a signal is never closed without an answer
to the ally (no ``assigned -> closed``), and only the ally can reopen it when the answer did not
solve their problem.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from agora.workflow import Step, Workflow


class SignalStatus(models.TextChoices):
    NEW = "new", _("nieuw")
    ASSIGNED = "assigned", _("toegewezen")
    ANSWERED = "answered", _("beantwoord")
    CLOSED = "closed", _("afgesloten")


# The states' names in both languages, for ``invalid_transition`` messages.
STATUS_LABELS: dict[str, dict[str, str]] = {
    SignalStatus.NEW: {"en": "new", "nl": "nieuw"},
    SignalStatus.ASSIGNED: {"en": "assigned", "nl": "toegewezen"},
    SignalStatus.ANSWERED: {"en": "answered", "nl": "beantwoord"},
    SignalStatus.CLOSED: {"en": "closed", "nl": "afgesloten"},
}

ALLOWED_STATUS_CHANGES: dict[str, frozenset[str]] = {
    # Someone on the municipal or police side takes ownership.
    SignalStatus.NEW: frozenset({SignalStatus.ASSIGNED}),
    # Reassign to a colleague, or answer the ally.
    SignalStatus.ASSIGNED: frozenset({SignalStatus.ASSIGNED, SignalStatus.ANSWERED}),
    # A further answer in the thread, close, or reopen by the ally (back to the owner, or to
    # the intake when the owner's membership has gone).
    SignalStatus.ANSWERED: frozenset(
        {SignalStatus.ANSWERED, SignalStatus.CLOSED, SignalStatus.ASSIGNED, SignalStatus.NEW}
    ),
    # Only a reopen by the ally leaves the closed state.
    SignalStatus.CLOSED: frozenset({SignalStatus.ASSIGNED, SignalStatus.NEW}),
}

# The ally is still waiting for the municipality or police in these states.
AWAITING_ANSWER: frozenset[str] = frozenset({SignalStatus.NEW, SignalStatus.ASSIGNED})

# Taking or handing over ownership happens before the answer; after it, the ally reopens.
ASSIGN = Step("assign", frozenset({SignalStatus.NEW, SignalStatus.ASSIGNED}), SignalStatus.ASSIGNED)
ANSWER = Step("answer", frozenset({SignalStatus.ASSIGNED, SignalStatus.ANSWERED}), SignalStatus.ANSWERED)
CLOSE = Step("close", frozenset({SignalStatus.ANSWERED}), SignalStatus.CLOSED)
# Reopening is the ally's move, from the same states either way: back to the owner when there is
# one, else back to the intake.
REOPEN = Step("reopen", frozenset({SignalStatus.ANSWERED, SignalStatus.CLOSED}), SignalStatus.ASSIGNED)
REOPEN_TO_INTAKE = Step("reopen_to_intake", REOPEN.sources, SignalStatus.NEW)

SIGNAL_WORKFLOW = Workflow(
    "signal",
    labels=STATUS_LABELS,
    transitions=ALLOWED_STATUS_CHANGES,
    steps=(ASSIGN, ANSWER, CLOSE, REOPEN, REOPEN_TO_INTAKE),
)
