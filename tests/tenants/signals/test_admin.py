"""The admin writes through the actions: same rules, same audit rows, errors shown on the form."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from agora.audit.models import AuditEvent, PersonRecordRead
from tenants.signals import actions
from tenants.signals.models import Notice, Signal
from tenants.signals.workflow import SignalStatus

ADD = "/admin/signals/signal/add/"


def inline_management(client, url: str) -> dict[str, str]:
    """The inlines' management form data of the change page at ``url``, as the browser posts it."""
    response = client.get(url)
    assert response.status_code == 200
    data = {}
    for inline in response.context["inline_admin_formsets"]:
        form = inline.formset.management_form
        data.update({form[name].html_name: form[name].value() for name in form.fields})
    return data


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
    form = {"owner": owner, "answer": "Bestrijder komt dinsdag."}
    response = client.post(change, {**inline_management(client, change), **form})
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
    form = {"owner": people.membership(town.police).pk, "answer": "Te laat"}
    response = client.post(change, {**inline_management(client, change), **form})
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


def _raise(town, ally_user=None):
    return actions.do_raise_signal(
        category="pest",
        neighbourhood_id=town.neighbourhood.pk,
        description="Ratten bij de containers.",
        acting_user=ally_user or town.ally_user,
    )


def _reads(actor, after: int = 0) -> list[tuple[str, str]]:
    """The records ``actor`` was logged reading (since the read with id ``after``)."""
    reads = PersonRecordRead.objects.filter(actor=actor, pk__gt=after)
    return sorted(reads.values_list("record_type", "record_id").distinct())


def _last_read_id() -> int:
    return PersonRecordRead.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_the_signal_list_and_change_view_log_the_allies_read(town, web):
    mine, theirs = _raise(town), _raise(town, town.other_ally_user)
    client = web(town.official)
    response = client.get("/admin/signals/signal/")
    assert response.status_code == 200
    assert town.ally.full_name in response.content.decode()
    assert _reads(town.official) == sorted(
        [("networkmap.KeyFigure", str(town.ally.pk)), ("networkmap.KeyFigure", str(town.other_ally.pk))]
    )

    before = _last_read_id()
    response = client.get(f"/admin/signals/signal/{theirs.pk}/change/")
    assert response.status_code == 200
    assert _reads(town.official, after=before) == [("networkmap.KeyFigure", str(town.other_ally.pk))]
    assert mine.pk != theirs.pk


def test_officials_see_the_answers_in_the_signal_admin(town, people):
    from django.test import Client

    from tests.conftest import host

    signal = _raise(town)
    actions.do_assign_signal_owner(
        signal, owner_membership_id=people.membership(town.police).pk, acting_user=town.official
    )
    actions.do_answer_signal(signal, body="De bestrijder komt dinsdag.", acting_user=town.police)
    client = Client(HTTP_HOST=host("utrecht"))
    client.force_login(town.official)
    assert not town.official.is_superuser  # rights come from the membership, not Django's tables
    change = f"/admin/signals/signal/{signal.pk}/change/"
    page = client.get(change).content.decode()
    assert "De bestrijder komt dinsdag." in page
    # The shown answers do not get in the way of the next one (the page posts their inline back).
    management = inline_management(client, change)
    assert management["answers-INITIAL_FORMS"] == 1
    signal.refresh_from_db()
    response = client.post(change, {**management, "owner": signal.owner_id, "answer": "Hij was er."})
    assert response.status_code == 302, response.content.decode()[:2000]
    bodies = [answer.body for answer in signal.answers.order_by("pk")]
    assert bodies == ["De bestrijder komt dinsdag.", "Hij was er."]


def test_the_notice_change_view_shows_receipts_and_logs_the_recipients_read(town, web):
    notice = actions.do_publish_notice(
        title="Controle",
        description="Donderdag.",
        planned_start=timezone.now() + timedelta(days=2),
        recipient_ids=[town.ally.pk, town.other_ally.pk],
        acting_user=town.police,
    )
    actions.do_confirm_notice_read(notice, acting_user=town.ally_user)
    response = web(town.official).get(f"/admin/signals/notice/{notice.pk}/change/")
    assert response.status_code == 200
    page = response.content.decode()
    assert town.ally.full_name in page and town.other_ally.full_name in page  # the receipts inline
    assert _reads(town.official) == sorted(
        [("networkmap.KeyFigure", str(town.ally.pk)), ("networkmap.KeyFigure", str(town.other_ally.pk))]
    )


def test_an_invalid_admin_form_writes_nothing_even_when_its_action_would_pass(town, people, web):
    """ADR 0004: ``clean()`` only tries the action (rolled back); ``save_model`` runs it for real.

    The owner and the answer are fine, but the page's inline (the answers) was not posted back,
    so the admin re-renders the form instead of saving: no owner, no answer, no audit row.
    """
    signal = _raise(town)
    events_before = AuditEvent.objects.count()
    client = web(town.official)
    change = f"/admin/signals/signal/{signal.pk}/change/"
    form = {"owner": people.membership(town.police).pk, "answer": "Bestrijder komt dinsdag."}
    response = client.post(change, form)  # no inline management form: the formset is invalid
    assert response.status_code == 200
    signal.refresh_from_db()
    assert signal.status == SignalStatus.NEW and signal.owner_id is None
    assert not signal.answers.exists()
    assert not signal.status_changes.exclude(to_status=SignalStatus.NEW).exists()
    assert AuditEvent.objects.count() == events_before


def test_the_owner_picker_offers_active_staff_of_this_municipality_only(town, people, web):
    signal = _raise(town)
    response = web(town.official).get(f"/admin/signals/signal/{signal.pk}/change/")
    field = response.context["adminform"].form.fields["owner"]
    offered = {int(str(value)) for value, _ in field.choices if value}
    assert {people.membership(town.official).pk, people.membership(town.police).pk} <= offered
    assert people.membership(town.ally_user).pk not in offered
    assert all(membership.role in ("official", "police") for membership in field.queryset)
    assert all(membership.is_active and membership.user.is_active for membership in field.queryset)
