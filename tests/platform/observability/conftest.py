"""Capturing what the central log would receive: the JSON formatter and context filter of settings."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from agora.observability.logs import ContextFilter, JsonFormatter


class CapturedLog:
    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def lines(self) -> list[dict]:
        """Every line parsed (each must be one JSON object)."""
        return [json.loads(line) for line in self.text.splitlines() if line.strip()]

    def access(self) -> list[dict]:
        return [line for line in self.lines() if line["logger"] == "agora.access"]


@pytest.fixture
def json_log() -> Iterator[CapturedLog]:
    """The root logger's output as settings.LOGGING writes it with AGORA_LOG_FORMAT=json."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield CapturedLog(stream)
    finally:
        root.removeHandler(handler)
