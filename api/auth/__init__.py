"""The API's ways in and out: ``/api/v1/auth/token/``, ``logout/`` and ``logout-all/``."""
