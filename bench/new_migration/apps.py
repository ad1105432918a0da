from django.apps import AppConfig


class NewMigrationConfig(AppConfig):
    name = "bench.new_migration"
    label = "bench_new_migration"
