from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API machinery"

    def ready(self):
        # Registers how drf-spectacular documents this package's fields and filters.
        from api import data_version, schema  # noqa: F401

        data_version.connect()
