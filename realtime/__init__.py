"""Channels: tenant-aware WebSocket routing, consumers, group naming and on-commit fan-out."""
