"""Who a notice reached and who confirmed reading it: what staff check before the action starts."""

from __future__ import annotations

from tenants.signals.access import seated_allies
from tenants.signals.models import Notice, NoticeRecipient


def notice_receipts(notice: Notice) -> list[NoticeRecipient]:
    """The recipients written at publication, plus allies who joined the council since (unread).

    The late joiners are unsaved rows: they become real ones when they confirm reading.
    """
    rows = list(notice.recipients.select_related("key_figure"))
    if notice.council_id is not None:
        have = {row.key_figure_id for row in rows}
        rows += [
            NoticeRecipient(notice=notice, key_figure=figure, via_council=True, read_at=None)
            for figure in seated_allies(notice.council_id).exclude(pk__in=have).order_by("pk")
        ]
    return rows
