"""Tests of the allies' council (tenants.councils, api.councils)."""
