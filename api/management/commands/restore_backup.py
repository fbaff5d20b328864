from django.core.management.base import BaseCommand, CommandError

from api.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Put back a backup written by `manage.py backup` into a freshly migrated, empty "
        "database, in one transaction: every row with its original ids, and no history of its "
        "own. Refuses a database that already holds data, unless --replace."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The backup to restore.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete everything this database holds and put the backup in its place.",
        )
        parser.add_argument("--database", default="default", help="The database to restore into.")

    def handle(self, *args, **options):
        try:
            summary = restore_backup(options["file"], using=options["database"], replace=options["replace"])
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {summary.rows} rows of {summary.tables} tables from {options['file']} "
                f"(data version {summary.generation})."
            )
        )
