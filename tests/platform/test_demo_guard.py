"""`agora demo` refuses to put its published-password logins into a remote database."""

from __future__ import annotations

import pytest

from agora import cli


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("", True),
        ("postgres://postgres@127.0.0.1:5432/agora", True),
        ("postgres://postgres@localhost/agora", True),
        ("postgres://postgres@[::1]:5432/agora", True),
        ("postgres://db.gemeente.example.nl:5432/agora", False),
        ("postgres://user:pw@10.0.0.5/agora", False),
    ],
)
def test_database_is_local(url, local):
    assert cli.database_is_local(url) is local


def test_demo_refuses_a_remote_database(monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", "postgres://agora@db.gemeente.example.nl:5432/agora")
    assert cli.main(["demo", "--port", "8765"]) == 2
    assert "--allow-remote-database" in capsys.readouterr().err
