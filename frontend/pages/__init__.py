"""The municipal web app: server-rendered pages on the house core (ADR 0010).

Each module holds the pages of one part of the method. A page reads through the same
``*_visible_to`` / ``access_*_by_id`` helpers and read models as the API, writes through the
same ``do_<verb>_<noun>`` actions, and logs every person it shows (``log_person_reads``).
No rule lives in a view or template: a refused action's ``DomainError`` is shown as a message.
"""
