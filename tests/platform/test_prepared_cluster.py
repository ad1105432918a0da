"""The prepared cluster: kept once per version of the code, copied whole into a fresh data folder.

These work on folders only; tests/platform/test_demo_boot.py starts a real demo from one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from agora import prepared_cluster


def stopped_cluster(folder: Path) -> Path:
    """A folder shaped like a stopped cluster, with pgserver's own files beside it."""
    (folder / "base" / "1").mkdir(parents=True)
    (folder / "PG_VERSION").write_text("18\n")
    (folder / "base" / "1" / "1259").write_bytes(b"\x00" * 8192)
    (folder / "postgresql.conf").write_text("# settings\n")
    for name in prepared_cluster.NOT_COPIED:
        (folder / name).write_text("not for another data folder")
    return folder


@pytest.fixture
def cache(tmp_path: Path, monkeypatch) -> Path:
    folder = tmp_path / "clusters"
    monkeypatch.setenv(prepared_cluster.ENVIRONMENT, str(folder))
    return folder


def test_kept_without_pgservers_files_and_only_for_the_latest_key(tmp_path: Path, cache: Path) -> None:
    source = stopped_cluster(tmp_path / "pgdata")
    old = prepared_cluster.save("oldkey", source)
    assert old == cache / "oldkey"

    kept = prepared_cluster.save("newkey", source)
    assert kept == cache / "newkey"
    assert (kept / "base" / "1" / "1259").read_bytes() == b"\x00" * 8192
    assert not any((kept / name).exists() for name in prepared_cluster.NOT_COPIED)
    assert sorted(p.name for p in cache.iterdir()) == ["newkey"]  # no half copies, no old version
    assert prepared_cluster.save("newkey", source) is None  # kept already


def test_a_fresh_data_folder_gets_a_whole_copy(tmp_path: Path, cache: Path) -> None:
    prepared_cluster.save("key", stopped_cluster(tmp_path / "pgdata"))
    fresh = tmp_path / "fresh" / "pgdata"
    fresh.mkdir(parents=True)

    assert prepared_cluster.restore("key", fresh)
    assert (fresh / "PG_VERSION").read_text() == "18\n"
    assert (fresh / "base" / "1" / "1259").stat().st_size == 8192
    assert fresh.stat().st_mode & 0o777 == 0o700  # postgres refuses a data folder others can read
    assert not prepared_cluster.restore("otherkey", tmp_path / "empty")  # no copy for that key


def test_a_data_folder_with_anything_in_it_is_never_overwritten(tmp_path: Path, cache: Path) -> None:
    prepared_cluster.save("key", stopped_cluster(tmp_path / "pgdata"))
    used = tmp_path / "used"
    used.mkdir()
    (used / "PG_VERSION").write_text("16\n")
    assert not prepared_cluster.restore("key", used)
    assert (used / "PG_VERSION").read_text() == "16\n"


def test_off_when_the_cache_folder_is_empty(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv(prepared_cluster.ENVIRONMENT, "")
    assert prepared_cluster.save("key", stopped_cluster(tmp_path / "pgdata")) is None
    (tmp_path / "fresh").mkdir()
    assert not prepared_cluster.restore("key", tmp_path / "fresh")


def test_the_key_follows_the_migration_files(tmp_path: Path, monkeypatch) -> None:
    package = tmp_path / "agora"
    (package / "accounts" / "migrations").mkdir(parents=True)
    migration = package / "accounts" / "migrations" / "0001_initial.py"
    migration.write_text("operations = []\n")
    for name in prepared_cluster.GRANT_MODULES:
        (package / name).write_text("# grants\n")
    monkeypatch.setattr(prepared_cluster, "_package_folder", {"agora": package}.get)

    keys = [prepared_cluster.cluster_key(18)]
    assert prepared_cluster.cluster_key(18) == keys[0]  # stable while nothing changes
    keys.append(prepared_cluster.cluster_key(16))  # another PostgreSQL
    migration.write_text("operations = ['changed']\n")
    keys.append(prepared_cluster.cluster_key(18))
    (package / "accounts" / "migrations" / "0002_more.py").write_text("operations = []\n")
    keys.append(prepared_cluster.cluster_key(18))
    (package / "dbroles.py").write_text("# other grants\n")
    keys.append(prepared_cluster.cluster_key(18))
    assert len(set(keys)) == len(keys), keys
