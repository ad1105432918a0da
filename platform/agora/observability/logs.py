"""Log records with the request's context, and one JSON object per line for the central log.

The filter puts ``request_id``, ``tenant`` and ``user_id`` on every record (the access log adds
``route``, ``status`` and ``duration_ms`` itself), so a log line of an action can be joined to the
request that caused it without the action knowing about requests. The formatter writes those
fields and nothing else of the record's ``extra``: a stray ``extra={"email": ...}`` never
reaches the central log.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import traceback

from agora.observability import context

CONTEXT_FIELDS = ("request_id", "tenant", "user_id", "route")
ACCESS_FIELDS = ("method", "status", "duration_ms")


class ContextFilter(logging.Filter):
    """Adds the request's (or socket's) context to a record; never refuses one."""

    def filter(self, record: logging.LogRecord) -> bool:
        values = context.snapshot()
        request = getattr(record, "request", None)
        if values["request_id"] is None and getattr(request, "request_id", None):
            # Django logs a returned 4xx/5xx after the middleware has finished (and reset the
            # context): the same fields, read from the request the record carries.
            from agora.observability.middleware import evaluated_user, route_of

            values = {
                "request_id": request.request_id,
                "tenant": context.tenant_label(getattr(request, "tenant", None)),
                "user_id": context.user_label(evaluated_user(request)),
                "route": route_of(request),
            }
        for key, value in values.items():
            if not hasattr(record, key):
                setattr(record, key, value)
        if not hasattr(record, "status") and isinstance(getattr(record, "status_code", None), int):
            record.status = record.status_code
        return True


class RouteNotPath(logging.Filter):
    """Django's request logger names the raw path ("Not Found: /api/v1/signals/42/"): the route instead.

    A path holds ids (of a key figure, a signal), which are personal data once joined to a user id.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        path = getattr(request, "path", None)
        if path and isinstance(record.args, tuple) and path in record.args:
            from agora.observability.middleware import route_of

            route = route_of(request)
            record.args = tuple(route if arg == path else arg for arg in record.args)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the context and the access fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in CONTEXT_FIELDS + ACCESS_FIELDS:
            line[key] = getattr(record, key, None)
        if record.exc_info and record.exc_info[0] is not None:
            # The type and where, not the exception's message: that may quote user input.
            line["exc_type"] = record.exc_info[0].__name__
            line["stack"] = [
                f"{frame.filename}:{frame.lineno} {frame.name}"
                for frame in traceback.extract_tb(record.exc_info[2], limit=30)
            ]
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """The plain development format, with the request id and tenant when there are any."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        tags = [
            f"{key}={getattr(record, key)}"
            for key in ("request_id", "tenant", "user_id")
            if getattr(record, key, None) is not None
        ]
        return f"{text} [{' '.join(tags)}]" if tags else text
