"""API of tenants.networkmap."""
