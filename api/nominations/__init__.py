"""API of tenants.nominations."""
