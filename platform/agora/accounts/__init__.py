"""Users (global) and memberships (per municipality, with a role)."""
