"""Police geography: units (eenheden) and districts, in the public schema."""
