"""Stable error codes of the network map."""

from agora.errors import error_code

INVALID_PHONE = error_code(
    "invalid_phone",
    en="{raw!r} is not a valid phone number.",
    nl="{raw!r} is geen geldig telefoonnummer.",
)
