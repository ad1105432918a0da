"""API of tenants.signals."""
