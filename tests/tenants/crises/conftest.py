"""Fixtures of the crisis tests: a Utrecht council (leads, deputies, allies with logins) to convene."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from agora.accounts.models import User
from tenants.councils.models import Council
from tenants.networkmap.models import KeyFigure
from tests.tenants.councils.conftest import make_council, make_key_figure, staff  # noqa: F401


@dataclass
class Room:
    council: Council
    staff: object
    allies: list[KeyFigure]
    ally_users: list[User]


@pytest.fixture
def sms_file(settings, tmp_path):
    settings.AGORA_SMS_BACKEND = "file"
    settings.AGORA_SMS_FILE = str(tmp_path / "sms.jsonl")
    return tmp_path / "sms.jsonl"


@pytest.fixture
def room(people, staff, make_council, in_utrecht) -> Room:  # noqa: F811
    """A council of 2 allies with logins and a third without login or number (unreachable)."""
    ally_users = [people.ally("utrecht", "r1"), people.ally("utrecht", "r2")]
    allies = [make_key_figure(user=user) for user in ally_users]
    allies.append(make_key_figure(mobile="", email=""))
    return Room(make_council(allies=allies), staff, allies, ally_users)
