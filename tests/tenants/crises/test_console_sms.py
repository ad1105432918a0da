"""The console SMS backend (the default without a gateway) keeps numbers and texts out of the log."""

from __future__ import annotations

import logging

from tenants.crises.notify import ConsoleSmsBackend, masked_number


def test_the_log_gets_the_last_two_digits_and_no_text(caplog) -> None:
    text = "CRISIS Utrecht: Onrust na incident. U bent opgeroepen als bondgenoot.\nhttp://x/crises/1/"
    with caplog.at_level(logging.INFO, logger="agora.crises"):
        ConsoleSmsBackend().send("+31612345678", text)
    [record] = [r for r in caplog.records if r.name == "agora.crises"]
    line = record.getMessage()
    assert line == f"SMS to **********78 ({len(text)} characters, not logged)"
    assert "612345678" not in line and "Onrust" not in line and "Utrecht" not in line
    assert "612345678" not in repr(record.args)  # nor in what a structured formatter would emit


def test_a_short_number_is_masked_too() -> None:
    assert masked_number("+31612345678") == "**********78"
    assert masked_number("12") == "12"
    assert masked_number("") == ""
