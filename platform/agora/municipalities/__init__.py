"""Municipalities: the tenant model, its domain and provisioning."""
