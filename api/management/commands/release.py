from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from api import data_version
from api.models import Release


class Command(BaseCommand):
    help = (
        "Cut a named release of the data as it is now: /api/v1/meta/ and the dump name it while "
        "the data stays unchanged."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="The release's name: letters, digits, - and _ (at most 64), unused.")

    def handle(self, *args, name, **options):
        with transaction.atomic():
            # The version row's lock orders the cut against any write of the data.
            data_version.bump(data_changed=False)
            generation, changed_at = data_version.current(using="default")
            release = Release(name=name, generation=generation, data_changed_at=changed_at)
            try:
                release.full_clean()
            except ValidationError as error:
                problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
                raise CommandError(problems) from None
            release.save()
        self.stdout.write(f"Cut release {name}: the data of {data_version.release_id(changed_at)}.")
