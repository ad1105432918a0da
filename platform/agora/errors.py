"""One domain error type with stable codes and Dutch and English messages.

Each app declares its codes next to its rules (``tenants/<app>/errors.py``) with
:func:`error_code`; services raise them; the API maps them once
(``api.errors.exception_handler``) to ``{"code", "detail", "fields"}``. The codes are part of
the public contract: never rename one, add a new one instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import translation

_REGISTRY: dict[str, ErrorSpec] = {}


@dataclass(frozen=True)
class ErrorSpec:
    """A stable error code with its messages (``str.format`` placeholders allowed)."""

    code: str
    en: str
    nl: str
    status: int = 400

    def __call__(self, *, fields: dict[str, Any] | None = None, **params: Any) -> DomainError:
        return DomainError(self, fields=fields or {}, params=params)


@dataclass
class DomainError(Exception):
    """A broken domain rule. Raised by services; never a 500."""

    spec: ErrorSpec
    fields: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(self.message("en"))

    @property
    def code(self) -> str:
        return self.spec.code

    @property
    def status(self) -> int:
        return self.spec.status

    def message(self, language: str | None = None) -> str:
        """The message in the given (or the active) language; Dutch unless English is asked."""
        language = (language or translation.get_language() or "nl")[:2]
        template = self.spec.en if language == "en" else self.spec.nl
        try:
            # Lazy parameters (translated labels) render in the message's language, not the active one.
            with translation.override(language):
                return template.format(**self.params)
        except (KeyError, IndexError):
            return template

    def __str__(self) -> str:
        return f"{self.code}: {self.message('en')}"


def error_code(code: str, *, en: str, nl: str, status: int = 400) -> ErrorSpec:
    """Declare a stable error code. Declaring the same code twice is a programming error."""
    if code in _REGISTRY and _REGISTRY[code] != ErrorSpec(code, en, nl, status):
        raise ValueError(f"error code {code!r} is declared twice with different messages")
    spec = ErrorSpec(code=code, en=en, nl=nl, status=status)
    _REGISTRY[code] = spec
    return spec


def registered_codes() -> dict[str, ErrorSpec]:
    """All declared codes (for the docs and the tests that keep them stable)."""
    return dict(_REGISTRY)


# Codes shared by every app.
NOT_FOUND = error_code(
    "not_found",
    en="Not found.",
    nl="Niet gevonden.",
    status=404,
)
PERMISSION_DENIED = error_code(
    "permission_denied",
    en="You do not have permission to do this in this municipality.",
    nl="U heeft geen toestemming om dit in deze gemeente te doen.",
    status=403,
)
INVALID_TRANSITION = error_code(
    "invalid_transition",
    en="This step is not allowed from the current state ({current}).",
    nl="Deze stap is niet toegestaan vanuit de huidige status ({current}).",
    status=409,
)
