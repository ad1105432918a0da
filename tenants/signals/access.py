"""Who may see which signal or notice. Missing and forbidden are the same answer: 404.

Staff (officials and police officers of this municipality) see everything here; an ally sees
the signals raised for them and the notices addressed to them; anyone else sees nothing. Who
acts comes from the actor core (``agora.accounts.actors.current_actor``). Every view, action and
admin goes through these helpers so that they agree.
"""

from __future__ import annotations

from django.db.models import Q

from agora.accounts.actors import current_actor
from agora.errors import NOT_FOUND
from agora.ids import id_or_not_found
from tenants.networkmap.models import KeyFigure
from tenants.signals.models import Notice, Signal, SignalQuerySet


def signals_visible_to(user) -> SignalQuerySet:
    """Staff: all. Ally: the signals raised for them (also from before they stepped down)."""
    actor = current_actor(user)
    if actor.is_staff:
        return Signal.objects.all()
    if actor.is_ally:
        return Signal.objects.filter(ally__user_id=user.pk)
    return Signal.objects.none()


def access_signal_by_id(user, signal_id: int | str) -> Signal:
    """The signal if ``user`` may see it; ``not_found`` when missing or not theirs."""
    signal = signals_visible_to(user).filter(pk=id_or_not_found(signal_id)).first()
    if signal is None:
        raise NOT_FOUND()
    return signal


def seated_allies(council_id: int):
    """Allies holding a seat in the council now (members who left keep what they were sent)."""
    return KeyFigure.objects.filter(
        is_ally=True, council_seats__council_id=council_id, council_seats__left_on__isnull=True
    ).distinct()


def notices_visible_to(user):
    """Staff: all. Ally: notices addressed to them, directly or via a council they sit on.

    Council members were written out as recipients at publication; an ally who joined the
    council since then sees the council's notices too (they are a member now).
    """
    actor = current_actor(user)
    if actor.is_staff:
        return Notice.objects.all()
    if actor.is_ally:
        addressed = Q(recipients__key_figure__user_id=user.pk)
        seated = Q(
            council__members__key_figure__user_id=user.pk,
            council__members__key_figure__is_ally=True,
            council__members__left_on__isnull=True,
        )
        return Notice.objects.filter(pk__in=Notice.objects.filter(addressed | seated).values("pk"))
    return Notice.objects.none()


def access_notice_by_id(user, notice_id: int | str) -> Notice:
    """The notice if ``user`` may see it; ``not_found`` when missing or not addressed to them."""
    notice = notices_visible_to(user).filter(pk=id_or_not_found(notice_id)).first()
    if notice is None:
        raise NOT_FOUND()
    return notice
