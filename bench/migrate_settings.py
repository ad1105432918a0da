"""Agora's settings plus one tenant app with one migration (``bench.new_migration``), for the bench."""

from agora.settings import *  # noqa: F403

TENANT_APPS = [*TENANT_APPS, "bench.new_migration"]  # noqa: F405
INSTALLED_APPS = [*INSTALLED_APPS, "bench.new_migration"]  # noqa: F405
