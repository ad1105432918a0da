"""``agora demo``'s set-up commits without waiting for the flush; nothing else does."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection, transaction

from agora.loading_session import loading_session


def synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True, available_apps=list(settings.INSTALLED_APPS))
def test_the_loading_session_and_its_new_connections_do_not_wait_for_the_flush() -> None:
    assert synchronous_commit() == "on"  # an open connection
    with loading_session():
        assert synchronous_commit() == "off"
        connection.close()  # a connection opened inside (the demo's workers open their own)
        assert synchronous_commit() == "off"
    assert synchronous_commit() == "on"
    assert "synchronous_commit" not in connection.settings_dict["OPTIONS"].get("options", "")


def test_inside_a_transaction_the_connection_is_kept_and_set_back(db) -> None:
    with transaction.atomic():
        marker = connection.connection
        with loading_session():
            assert synchronous_commit() == "off"
        assert synchronous_commit() == "on"
        assert connection.connection is marker
