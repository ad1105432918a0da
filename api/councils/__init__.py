"""API of tenants.councils."""
