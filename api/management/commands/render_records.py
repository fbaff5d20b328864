from django.core.management.base import BaseCommand

from api import renderings


class Command(BaseCommand):
    help = (
        "Render and store every record as the API shows it (the read model, api.renderings). "
        "Writes keep it current by themselves; run this after deploying code that changes how "
        "records are shown (renderings of other code are never served, only slower to answer)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--all",
            action="store_true",
            help="Render every record, not only those not rendered by this code.",
        )

    def handle(self, *args, all=False, **options):
        count = renderings.store_all(only_missing=not all)
        self.stdout.write(f"Rendered {count} records.")
