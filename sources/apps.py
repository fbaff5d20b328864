from django.apps import AppConfig


class SourcesConfig(AppConfig):
    name = "sources"
    verbose_name = "Sources and citations"

    def ready(self):
        # Registers the OpenAPI description of LinkField with drf-spectacular.
        from sources import schema  # noqa: F401
