"""Per-municipality apps: each lives in every municipality's own schema."""
