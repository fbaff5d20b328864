from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Diplomacy and war"

    def ready(self):
        from events import choosing

        choosing.connect()
