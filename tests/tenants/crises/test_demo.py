"""The crisis demo: an open room (Utrecht), a closed crisis with its timeline, idempotent."""

from __future__ import annotations

from tenants.crises import demo
from tenants.crises.models import Crisis, CrisisEvent
from tenants.crises.timeline import crisis_timeline


def _staff(room) -> dict:
    return {"official": room.staff.official, "police": room.staff.police, "official2": room.staff.official2}


def test_the_open_room_and_its_addresses(room, in_utrecht) -> None:
    shown = demo.load_demo(in_utrecht, _staff(room))
    crisis = Crisis.objects.get(title=demo.OPEN_TITLE)
    assert crisis.is_open and crisis.summary
    assert any(f"/ws/crisis/{crisis.pk}/" in path for _label, path in shown)
    assert ("open crisis room (page)", f"/crises/{crisis.pk}/?room=1") in shown
    kinds = set(CrisisEvent.objects.filter(crisis=crisis).values_list("kind", flat=True))
    assert {
        "message.posted",
        "decision.recorded",
        "task.assigned",
        "summary.updated",
        "rollcall.answered",
    } <= kinds
    count = CrisisEvent.objects.count()
    assert demo.load_demo(in_utrecht, _staff(room)) == shown
    assert CrisisEvent.objects.count() == count


def test_the_closed_crisis_has_a_timeline(room, in_utrecht) -> None:
    crisis = demo._closed_crisis(in_utrecht, _staff(room), room.council)
    timeline = crisis_timeline(crisis)
    assert timeline["status"] == "closed"
    assert timeline["declaration_to_quorum_seconds"] is not None
    assert timeline["entries"][-1]["kind"] == "crisis.closed"
