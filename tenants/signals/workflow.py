"""Signal states and the transitions allowed between them.

English value constants, Dutch labels via gettext. The actions check a transition against
``ALLOWED_STATUS_CHANGES`` inside a ``select_for_update`` lock, so two officials cannot answer
and close the same signal past each other. Every change is appended to the signal's status
history (``SignalStatusChange``).

The method's reciprocity lesson shapes the table: a signal is never closed without an answer
to the ally (no ``assigned -> closed``), and only the ally can reopen it when the answer did not
solve their problem.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SignalStatus(models.TextChoices):
    NEW = "new", _("nieuw")
    ASSIGNED = "assigned", _("toegewezen")
    ANSWERED = "answered", _("beantwoord")
    CLOSED = "closed", _("afgesloten")


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
ASSIGNABLE: frozenset[str] = frozenset({SignalStatus.NEW, SignalStatus.ASSIGNED})
# Reopening is the ally's move, from these states only.
REOPENABLE: frozenset[str] = frozenset({SignalStatus.ANSWERED, SignalStatus.CLOSED})


def transition_allowed(current: str, new: str) -> bool:
    """True when the workflow allows ``current -> new``."""
    return new in ALLOWED_STATUS_CHANGES.get(current, frozenset())
