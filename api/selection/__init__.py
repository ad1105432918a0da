"""API of tenants.selection."""
