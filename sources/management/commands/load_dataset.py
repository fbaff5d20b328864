from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sources.loading import DatasetError, load_dataset


class Command(BaseCommand):
    help = (
        "Load the hand-transcribed fixtures (fixtures/dataset.json and the files it lists) in "
        "one transaction. A fault loads nothing and names its file, record and field."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=str(settings.DATASET_DIR), help="Fixture directory.")
        parser.add_argument(
            "--skip-if-loaded",
            action="store_true",
            help="Do nothing when these exact fixtures were the last ones loaded, so that "
            "edits made since in the admin or the API are kept.",
        )

    def handle(self, *args, **options):
        try:
            result = load_dataset(options["dir"], skip_if_loaded=options["skip_if_loaded"])
        except DatasetError as exc:
            raise CommandError(
                "The dataset was not loaded; nothing was changed.\n" + "\n".join(exc.problems)
            ) from None
        if result.skipped:
            self.stdout.write(f"Dataset {result.digest[:12]} is already loaded; nothing to do.")
            return
        for label, counts in result.per_model.items():
            self.stdout.write(
                f"  {label}: {counts['created']} created, {counts['updated']} updated, "
                f"{counts['unchanged']} unchanged"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded dataset {result.digest[:12]}: {result.created} created, "
                f"{result.updated} updated, {result.unchanged} unchanged."
            )
        )
