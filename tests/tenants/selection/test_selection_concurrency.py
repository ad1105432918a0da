"""Two people approving at the same moment, on two real connections: the row lock serialises them.

Committed data is needed (each thread has its own connection), so this test is transactional and
cleans up the tenant rows it made itself: the flush after a transactional test only truncates the
public schema (and, by CASCADE, tenant rows that point at public users).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from django.conf import settings
from django.db import connection, connections, transaction
from django_tenants.utils import tenant_context

from agora.errors import DomainError
from tenants.networkmap.models import KeyFigure
from tenants.selection import actions
from tenants.selection.models import Approval, HomeVisit, SelectionCase, Transition
from tenants.selection.workflow import CaseState
from tests.conftest import People, ensure_test_municipality

pytestmark = pytest.mark.django_db(transaction=True, available_apps=list(settings.INSTALLED_APPS))


def _in_thread(municipality, work: Callable[[], None], results: dict, key: str) -> threading.Thread:
    def run() -> None:
        try:
            connection.set_tenant(municipality)
            work()
            results[key] = "ok"
        except DomainError as error:
            results[key] = error.code
        except Exception as error:  # an IntegrityError here would mean the lock did not hold
            results[key] = repr(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.fixture
def utrecht_committed():
    utrecht = ensure_test_municipality("utrecht")
    ensure_test_municipality("amersfoort")
    yield utrecht
    with tenant_context(utrecht):
        Transition.objects.all().delete()
        Approval.objects.all().delete()
        HomeVisit.objects.all().delete()
        SelectionCase.objects.all().delete()
        KeyFigure.objects.filter(last_name="Gelijktijdig").delete()
    connection.set_schema_to_public()


@pytest.mark.parametrize("second", ["other_official", "same_official"])
def test_concurrent_approvals_of_one_side_count_once(utrecht_committed, second):
    utrecht = utrecht_committed
    people = People()
    official, police = people.official("utrecht"), people.police("utrecht")
    second_user = people.official("utrecht", "2") if second == "other_official" else official
    with tenant_context(utrecht):
        key_figure = KeyFigure.objects.create(first_name="Sam", last_name="Gelijktijdig")
        case = actions.do_open_case(key_figure.pk, acting_user=official)
        actions.do_start_review(case, acting_user=police)

    first_holds_lock = threading.Event()
    results: dict[str, str] = {}

    def first() -> None:
        with transaction.atomic():
            actions.do_approve_case(case.pk, acting_user=official)
            first_holds_lock.set()
            time.sleep(0.5)  # the second approval arrives while this one is not yet committed

    def then_second() -> None:
        assert first_holds_lock.wait(timeout=10)
        actions.do_approve_case(case.pk, acting_user=second_user)

    threads = [
        _in_thread(utrecht, first, results, "first"),
        _in_thread(utrecht, then_second, results, "second"),
    ]
    for thread in threads:
        thread.join(timeout=30)
    expected = "side_already_approved" if second == "other_official" else "already_approved"
    assert results == {"first": "ok", "second": expected}
    with tenant_context(utrecht):
        approvals = list(Approval.objects.filter(case_id=case.pk))
        assert [(a.side, a.user_id) for a in approvals] == [("official", official.pk)]
        assert SelectionCase.objects.get(pk=case.pk).state == CaseState.JOINT_REVIEW
    connection.set_schema_to_public()
