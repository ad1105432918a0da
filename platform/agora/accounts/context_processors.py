from agora.accounts.access import request_actor


def membership(request) -> dict:
    """Expose the current membership (or None) to templates."""
    tenant = getattr(request, "tenant", None)
    if tenant is None or getattr(tenant, "schema_name", "public") == "public":
        return {"membership": None, "municipality": None}
    return {"membership": request_actor(request).membership, "municipality": tenant}
