"""Channel-group names. Every name carries the tenant, so no event can cross a municipality.

Within a municipality a topic has one group per audience, never one for everybody: staff
(officials and police officers) share ``t.<schema>.<topic>.staff``, and each ally has their own
``t.<schema>.<topic>.ally.<key figure id>``. An event reaches an ally only when it is sent to
that ally's group, so what is meant for one ally never reaches another.

Two more kinds of group: one per crisis room (``t.<schema>.crisis.<id>``), joined only by sockets
that were let into that room, and one per user (``t.<schema>.user.<user id>``), joined by every
socket of that user in that municipality, so that a logout or a revocation can close them all.
The national view's sockets (public host) use ``t.public.national.district.<id>.<level>`` and
their user's ``t.public.user.<id>``.
"""

from __future__ import annotations

import re

_ALLOWED = re.compile(r"[^a-zA-Z0-9_.-]")

STAFF = "staff"
ALLY = "ally"


def group_name(schema_name: str, *parts: str | int) -> str:
    """``t.<schema>.<part>...``: valid for every channel layer (ASCII, under 100 characters)."""
    if not schema_name:
        raise ValueError("a channel group needs a tenant")
    name = ".".join(["t", schema_name, *(_ALLOWED.sub("_", str(part)) for part in parts)])
    if len(name) >= 100:
        raise ValueError(f"channel group name too long: {name!r}")
    return name


def staff_group(schema_name: str, topic: str) -> str:
    """The group of this municipality's officials and police officers on ``topic``."""
    return group_name(schema_name, topic, STAFF)


def ally_group(schema_name: str, topic: str, key_figure_id: int) -> str:
    """The group of one ally (by their key figure in ``schema_name``) on ``topic``."""
    return group_name(schema_name, topic, ALLY, int(key_figure_id))


def crisis_group(schema_name: str, crisis_id: int) -> str:
    """The group of the sockets in one crisis room of ``schema_name``."""
    return group_name(schema_name, "crisis", int(crisis_id))


def user_group(schema_name: str, user_id: int) -> str:
    """Every socket of one user in ``schema_name`` (the feed and the rooms): closed on revocation."""
    return group_name(schema_name, "user", int(user_id))


# The national view (public host): no municipality's schema, so the control plane's name ``public``.
NATIONAL = "public"


def national_district_group(district_id: int, level: str) -> str:
    """The sockets of the national view that see one police district at ``level`` (summary/contacts).

    One group per level: a frame with names goes only to the ``contacts`` group, so a summary
    socket never receives one, not even to drop it.
    """
    return group_name(NATIONAL, "national", "district", int(district_id), level)


def national_user_group(user_id: int) -> str:
    """Every national-view socket of one user: told when their grants change, closed on logout."""
    return user_group(NATIONAL, user_id)
