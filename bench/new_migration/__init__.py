"""A tenant app holding one migration: the "new migration" that ``python -m bench migrate`` deploys."""
