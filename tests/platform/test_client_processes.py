"""What a process started from here gets to reach the same database: its URL and its client programs.

Both matter on the README's test command, which runs on the embedded server: a Unix socket in a
folder (not a host name), and a server newer than Debian's pg_dump.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
import pytest

from agora import embedded
from agora.database import url_of
from agora.municipalities.pg_client import CLIENT_FOLDER, client_program


@pytest.mark.parametrize(
    "db",
    [
        {"USER": "postgres", "PASSWORD": "", "HOST": "/work/a b/pgdata", "PORT": "5433", "NAME": "test_x"},
        {"USER": "agora_app", "PASSWORD": "p@ss:w/rd%", "HOST": "127.0.0.1", "PORT": "5432", "NAME": "agora"},
        {"USER": "postgres", "PASSWORD": "", "HOST": "", "PORT": "", "NAME": "test_agora_gw1"},
    ],
)
def test_the_url_reads_back_as_the_same_connection(db) -> None:
    parsed = dj_database_url.parse(url_of(db))
    assert parsed["HOST"] == (db["HOST"] or "127.0.0.1")
    assert str(parsed["PORT"]) == (db["PORT"] or "5432")
    read_back = (parsed["USER"], parsed["PASSWORD"] or "", parsed["NAME"])
    assert read_back == (db["USER"], db["PASSWORD"], db["NAME"])


class _Server:
    def __init__(self, bin_path: Path) -> None:
        self.bin_path = bin_path


def test_the_embedded_servers_own_pg_dump_is_used_while_it_runs(tmp_path, monkeypatch) -> None:
    (tmp_path / "pg_dump").write_text("#!/bin/sh\n")
    monkeypatch.setattr(embedded, "_server", _Server(tmp_path))
    assert client_program("pg_dump") == str(tmp_path / "pg_dump")
    # A program the embedded server lacks comes from the system, as without it.
    monkeypatch.setattr(embedded, "_server", None)
    system = client_program("pg_dump")
    assert system != str(tmp_path / "pg_dump")
    assert system.startswith(str(CLIENT_FOLDER)) or Path(system).name == "pg_dump"
