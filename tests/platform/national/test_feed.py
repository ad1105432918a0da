"""The read model follows every tenant write in its transaction, and holds no person."""

from __future__ import annotations

from django.apps import apps
from django.db import connection, transaction
from django_tenants.utils import tenant_context

from agora.municipalities.provisioning import provision_municipality
from agora.national.feed import FEEDS
from agora.national.readmodel import MirrorKeyFigure, MirrorKeyFigureCommunity, MirrorSignal

PERSON_FIELDS = {"first_name", "infix", "last_name", "mobile", "email", "full_name", "user", "user_id"}


def _tenant_models() -> dict[str, type]:
    return {m._meta.db_table: m for m in apps.get_models(include_auto_created=True)}


def test_feeds_name_real_tables_and_columns_and_no_person() -> None:
    models = _tenant_models()
    for feed in FEEDS:
        source, mirror = models[feed.source], models[feed.mirror]
        source_columns = {f.column for f in source._meta.local_fields}
        mirror_columns = {f.column for f in mirror._meta.local_fields}
        assert set(feed.columns) <= source_columns, feed.source
        assert set(feed.columns) | {"id", "municipality_id", "source_id"} == mirror_columns, feed.mirror
        assert not (mirror_columns & PERSON_FIELDS), feed.mirror


def test_writes_are_mirrored_in_their_transaction(utrecht) -> None:
    from tenants.networkmap.models import Community, KeyFigure

    with tenant_context(utrecht):
        kf = KeyFigure.objects.create(first_name="Mirjam", last_name="Spiegel")
        community = Community.objects.create(kind="group", name="Spiegelclub")
        kf.communities.add(community)
        KeyFigure.objects.filter(pk=kf.pk).update(is_ally=True)  # bypasses save() and signals
    mirrored = MirrorKeyFigure.objects.get(municipality=utrecht, source_id=kf.pk)
    assert mirrored.is_ally is True
    assert MirrorKeyFigureCommunity.objects.filter(municipality=utrecht, keyfigure_id=kf.pk).count() == 1
    with tenant_context(utrecht):
        kf.communities.clear()
        KeyFigure.objects.filter(pk=kf.pk).delete()
    assert not MirrorKeyFigure.objects.filter(municipality=utrecht, source_id=kf.pk).exists()
    assert not MirrorKeyFigureCommunity.objects.filter(municipality=utrecht, keyfigure_id=kf.pk).exists()


def test_a_rolled_back_write_leaves_no_mirror_row(utrecht) -> None:
    from tenants.networkmap.models import KeyFigure

    with transaction.atomic():
        with tenant_context(utrecht):
            kf = KeyFigure.objects.create(first_name="Weg", last_name="Straks")
        assert MirrorKeyFigure.objects.filter(municipality=utrecht, source_id=kf.pk).exists()
        transaction.set_rollback(True)
    assert not MirrorKeyFigure.objects.filter(municipality=utrecht, source_id=kf.pk).exists()


def test_provisioning_clones_the_triggers(utrecht) -> None:
    municipality = provision_municipality(name="Bunnik", cbs_code="GM0312", district=utrecht.district)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = %s AND t.tgname = 'national_feed'",
            [municipality.schema_name],
        )
        assert cursor.fetchone()[0] == len(FEEDS)
    from tenants.networkmap.models import KeyFigure, Neighbourhood
    from tenants.signals.models import Signal

    with tenant_context(municipality):
        n = Neighbourhood.objects.create(name="Centrum")
        kf = KeyFigure.objects.create(first_name="A", last_name="B", neighbourhood=n)
        Signal.objects.create(ally=kf, category="pest", neighbourhood=n, description="x")
    assert MirrorSignal.objects.filter(municipality=municipality, neighbourhood_id=n.pk).count() == 1


def test_the_migrations_froze_the_current_feed() -> None:
    """The migrations carry copies of the feed (history must not move); they still match it."""
    import importlib

    from agora.national import feed

    triggers = importlib.import_module("tenants.nationalfeed.migrations.0001_triggers")
    crisis_triggers = importlib.import_module("tenants.nationalfeed.migrations.0002_crisis_triggers")
    function = importlib.import_module("agora.national.migrations.0002_read_model")
    assert [(f.source, f.mirror, f.columns) for f in FEEDS] == [*triggers.FEEDS, *crisis_triggers.FEEDS]
    assert function.FEED_FUNCTION == feed.FEED_FUNCTION
