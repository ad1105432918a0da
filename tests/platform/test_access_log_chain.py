"""The access log is a hash chain; ``verify_access_log`` names the first broken link (issue 13.4)."""

from __future__ import annotations

import itertools
import threading

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction
from django_tenants.utils import schema_context

from agora.audit.actions import log_person_read, log_person_reads
from agora.audit.chain import digest, verify_municipality
from agora.audit.models import PersonRecordRead
from tests.factories import KeyFigureFactory


def _reads(people, municipality, count: int) -> list[PersonRecordRead]:
    reader = people.official(municipality.slug)
    with schema_context(municipality.schema_name):
        figures = [KeyFigureFactory() for _ in range(count)]
    log_person_reads(actor=reader, objs=figures[:-1], purpose="networkmap.list", municipality=municipality)
    log_person_read(actor=reader, obj=figures[-1], purpose="networkmap.detail", municipality=municipality)
    with schema_context("public"):
        return list(PersonRecordRead.objects.filter(municipality=municipality).order_by("id"))


def _tamper(sql: str, params: list) -> None:
    """As the superuser the suite connects as, past the append-only trigger (replica mode)."""
    with connection.cursor() as cursor, transaction.atomic():
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)


@pytest.mark.django_db
def test_each_row_hashes_its_content_and_the_previous_hash(people, utrecht, amersfoort):
    rows = _reads(people, utrecht, 4)
    other = _reads(people, amersfoort, 2)
    assert rows[0].prev_hash == "" and other[0].prev_hash == ""  # one chain per municipality
    for before, row in itertools.pairwise(rows):
        assert row.prev_hash == before.hash
    assert all(row.hash == digest(row, row.prev_hash) for row in rows + other)  # the database agrees
    assert len({row.hash for row in rows}) == 4
    report = verify_municipality(utrecht.pk)
    assert (report.rows, report.head, report.broken) == (4, rows[-1].hash, None)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("how", "reason"),
    [
        ("UPDATE audit_personrecordread SET purpose = 'nothing to see' WHERE id = %s", "was changed"),
        ("UPDATE audit_personrecordread SET actor_id = actor_id WHERE id = %s", None),
        ("DELETE FROM audit_personrecordread WHERE id = %s", "removed"),
    ],
)
def test_the_command_names_the_first_broken_link(people, utrecht, how, reason):
    rows = _reads(people, utrecht, 5)
    call_command("verify_access_log", stdout=(out := _Out()))
    assert "utrecht: 5 rows, chain intact" in out.text
    _tamper(how, [rows[2].pk])
    if reason is None:  # an UPDATE that changes nothing breaks nothing
        call_command("verify_access_log", stdout=_Out())
        return
    with pytest.raises(CommandError) as error:
        call_command("verify_access_log", stdout=(out := _Out()))
    broken = rows[2].pk if "changed" in reason else rows[3].pk
    assert f"row {broken} (utrecht)" in str(error.value)
    assert f"BROKEN at access-log row {broken} (after 2 good rows)" in out.text
    assert reason in out.text


@pytest.mark.django_db(transaction=True, available_apps=list(settings.INSTALLED_APPS))
def test_concurrent_writers_never_fork_the_chain(people, utrecht):
    """Writers in several threads (own connections, own transactions) append to one chain."""
    reader = people.official("utrecht")
    with schema_context("gm_utrecht"):
        figures = [KeyFigureFactory() for _ in range(4)]
    barrier = threading.Barrier(4)
    failures: list[BaseException] = []

    def write(figure) -> None:
        try:
            barrier.wait()
            for _ in range(10):
                with transaction.atomic():
                    log_person_reads(actor=reader, objs=[figure, figure], purpose="t", municipality=utrecht)
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(figure,)) for figure in figures]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    report = verify_municipality(utrecht.pk)
    assert report.broken is None and report.rows == 80


class _Out:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass
