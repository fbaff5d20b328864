from django.core.management.base import BaseCommand, CommandError

from api.backup import BackupError, write_backup


class Command(BaseCommand):
    help = (
        "Write every table of the database (records, citations, history, users with their "
        "password hashes, tokens, the data version) to FILE, a new JSON file readable by its "
        "owner alone. `restore_backup FILE` puts it back into an empty database."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The backup to write; it must not exist yet.")
        parser.add_argument("--database", default="default", help="The database to back up.")

    def handle(self, *args, **options):
        try:
            summary = write_backup(options["file"], using=options["database"])
        except BackupError as exc:
            raise CommandError(f"No backup was written: {exc}") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {summary.rows} rows of {summary.tables} tables to {options['file']} "
                f"(data version {summary.generation})."
            )
        )
