"""The admin writes through the actions: same rules, same audit rows, errors shown on the form."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from agora.audit.models import AuditEvent
from tenants.signals.models import Notice, Signal
from tenants.signals.workflow import SignalStatus

ADD = "/admin/signals/signal/add/"


def test_raising_assigning_and_answering_through_the_admin(town, people, web):
    client = web(town.official)
    form = {
        "ally": town.ally.pk,
        "category": "pest",
        "neighbourhood": town.neighbourhood.pk,
        "description": "Telefonisch gemeld: ratten.",
    }
    response = client.post(ADD, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    signal = Signal.objects.get()
    assert (signal.ally, signal.raised_by) == (town.ally, town.official)
    assert AuditEvent.objects.filter(action="signal.raised", object_id=str(signal.pk)).exists()

    change = f"/admin/signals/signal/{signal.pk}/change/"
    owner = people.membership(town.police).pk
    response = client.post(change, {"owner": owner, "answer": "Bestrijder komt dinsdag."})
    assert response.status_code == 302, response.content.decode()[:2000]
    signal.refresh_from_db()
    assert signal.status == SignalStatus.ANSWERED and signal.owner_id == owner
    assert signal.answers.get().author == town.official


def test_a_broken_rule_is_a_form_error_and_writes_nothing(town, people, web):
    client = web(town.official)
    response = client.post(
        ADD,
        {
            "ally": town.ally.pk,
            "category": "pest",
            "neighbourhood": town.neighbourhood.pk,
            "description": "x",
        },
    )
    signal = Signal.objects.get()
    # Answering before an owner is a refused transition; the owner change in the same save rolls back too.
    change = f"/admin/signals/signal/{signal.pk}/change/"
    Signal.objects.filter(pk=signal.pk).update(status=SignalStatus.CLOSED)
    response = client.post(change, {"owner": people.membership(town.police).pk, "answer": "Te laat"})
    assert response.status_code == 200
    assert "niet toegestaan" in response.content.decode()
    signal.refresh_from_db()
    assert signal.owner_id is None and not signal.answers.exists()


def test_publishing_a_notice_through_the_admin(town, web):
    client = web(town.police)
    base = {
        "title": "Verkeerscontrole",
        "description": "Zaterdagavond.",
        "visibility": "shareable",
        "recipients_to_inform": [town.ally.pk],
    }

    def start(delta: timedelta) -> dict[str, str]:
        moment = timezone.localtime() + delta
        return {
            "planned_start_0": moment.strftime("%Y-%m-%d"),
            "planned_start_1": moment.strftime("%H:%M:%S"),
        }

    response = client.post("/admin/signals/notice/add/", {**base, **start(-timedelta(days=1))})
    assert response.status_code == 200
    assert "verleden" in str(response.context["adminform"].form.errors)
    assert not Notice.objects.exists()
    response = client.post("/admin/signals/notice/add/", {**base, **start(timedelta(days=1))})
    assert response.status_code == 302, response.context["adminform"].form.errors
    notice = Notice.objects.get()
    assert list(notice.recipients.values_list("key_figure_id", flat=True)) == [town.ally.pk]
    assert web(town.ally_user).get("/admin/signals/notice/").status_code in (302, 403)
