"""Signals raised by allies, and planned-intervention notices to them."""
