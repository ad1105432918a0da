"""Pluggable notifiers for a crisis call: e-mail through Django's mail framework, SMS through a backend.

No SMS gateway is reachable from these machines, so the SMS interface has a console backend (a
masked line in the log) and a file backend (one JSON line per message, for tests and demos); a real
gateway is one more class with ``send(number, text)``, named in ``AGORA_SMS_BACKEND``. Which backend runs is
configuration (``AGORA_SMS_BACKEND``: ``console``, ``file`` or a dotted path; ``AGORA_SMS_FILE``),
e-mail follows ``EMAIL_BACKEND``.

A message names the crisis, the person's own role in it and the link to the room, never anyone
else's name or number: a text on a locked phone screen is read by whoever holds the phone.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.module_loading import import_string

from tenants.networkmap.phones import try_normalise_phone

logger = logging.getLogger("agora.crises")
_file_lock = threading.Lock()


@dataclass(frozen=True)
class CallMessage:
    """What one person is told: the crisis, why they are called, where the room is."""

    subject: str
    text: str
    link: str


@dataclass(frozen=True)
class Recipient:
    mobile: str  # E.164, or empty when there is no working number
    email: str


class SmsBackend(Protocol):
    def send(self, number: str, text: str) -> None: ...


def masked_number(number: str) -> str:
    """A number as a log may show it: its last two digits only (``**********04``)."""
    return "*" * max(len(number) - 2, 0) + number[-2:]


class ConsoleSmsBackend:
    """Notes each SMS in the log: the default where no gateway exists.

    The log is collected centrally (ADR 0021), so it gets neither the number (the last two digits
    tell a reader which call it was) nor the text, which names the crisis and the person's role.
    """

    def send(self, number: str, text: str) -> None:
        logger.info("SMS to %s (%d characters, not logged)", masked_number(number), len(text))


class FileSmsBackend:
    """Appends each SMS as a JSON line to ``AGORA_SMS_FILE`` (read back by tests and the demo)."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path or settings.AGORA_SMS_FILE)

    def send(self, number: str, text: str) -> None:
        line = json.dumps({"to": number, "text": text, "at": timezone.now().isoformat()})
        with _file_lock, self.path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")


BACKENDS = {"console": ConsoleSmsBackend, "file": FileSmsBackend}


def sms_backend() -> SmsBackend:
    name = settings.AGORA_SMS_BACKEND
    backend = BACKENDS.get(name) or import_string(name)
    return backend()


def working_number(raw: str) -> str:
    """The E.164 form of a number that can receive an SMS, or empty."""
    return try_normalise_phone(raw or "") or ""


# What became of one channel of one call, as the roll-call shows it.
SENT = "sent"
FAILED = "failed"
PENDING = "pending"
NO_NUMBER = "no_number"
NO_ADDRESS = "no_address"
NO_LOGIN = "no_login"


def planned_delivery(recipient: Recipient, *, has_login: bool) -> dict[str, str]:
    """Per channel, before anything is sent: ``pending`` where there is an address, else why not.

    Stored with the convocation in the declaring transaction, so a call whose sending never
    happens (the process died after the commit) still shows as pending, not as delivered.
    """
    return {
        "app": SENT if has_login else NO_LOGIN,
        "sms": PENDING if recipient.mobile else NO_NUMBER,
        "email": PENDING if recipient.email else NO_ADDRESS,
    }


def deliver(recipient: Recipient, message: CallMessage) -> dict[str, str]:
    """Send over every channel the person has; per channel ``sent``, ``failed`` or why it was not tried.

    A failing channel is logged and recorded as failed: one broken mail server must not stop the
    SMS, and no failure reaches the declaring request (this runs after its commit). The caller
    stores the outcome on the convocation (:func:`tenants.crises.actions.delivery.record_delivery`).
    """
    outcome: dict[str, str] = {}
    body = f"{message.text}\n{message.link}"
    if recipient.mobile:
        try:
            sms_backend().send(recipient.mobile, body)
            outcome["sms"] = SENT
        except Exception:  # any backend's failure is logged and recorded, never raised
            logger.exception("SMS to a convened member failed")
            outcome["sms"] = FAILED
    else:
        outcome["sms"] = NO_NUMBER
    if recipient.email:
        try:
            send_mail(message.subject, body, None, [recipient.email], fail_silently=False)
            outcome["email"] = SENT
        except Exception:
            logger.exception("E-mail to a convened member failed")
            outcome["email"] = FAILED
    else:
        outcome["email"] = NO_ADDRESS
    return outcome
