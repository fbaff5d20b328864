import sys
import time

from django.core.management.base import BaseCommand, CommandError

from sources import synthetic

MOST_RECORDS = 10_000_000


class Progress:
    """A one-line progress bar with the rate and the time left, redrawn in place on a
    terminal and written every tenth of the way otherwise (a log keeps a few lines); no
    stream, nothing shown."""

    WIDTH = 30

    def __init__(self, total: int, stream):
        self.total, self.stream, self.done = total, stream, 0
        self.started = time.monotonic()
        self.terminal = stream is not None and stream.isatty()
        self.shown_tenth = -1

    def advance(self, count: int, what: str) -> None:
        self.done += count
        if self.stream is None:
            return
        tenth = self.done * 10 // self.total
        if not self.terminal and tenth == self.shown_tenth:
            return
        self.shown_tenth = tenth
        elapsed = time.monotonic() - self.started
        rate = self.done / elapsed if elapsed else 0
        left = (self.total - self.done) / rate if rate else 0
        filled = self.WIDTH * self.done // self.total
        line = (
            f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {self.done:,}/{self.total:,} records "
            f"{rate:,.0f}/s ETA {clock(left)} ({what})"
        )
        self.stream.write(("\r" + line.ljust(100)) if self.terminal else line + "\n")
        self.stream.flush()

    def finish(self) -> float:
        if self.terminal:
            self.stream.write("\n")
        return time.monotonic() - self.started


def clock(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{seconds:02d}"


class Command(BaseCommand):
    help = (
        "Fill the tables with N generated records of every kind, citing one generated source "
        f"(slugs begin {synthetic.SYNTHETIC_PREFIX!r}), for load testing; --delete removes them "
        "all and nothing else. The real dataset is left as it is."
    )

    def add_arguments(self, parser):
        parser.add_argument("--records", type=int, help="How many records to generate (1,000 to 1,000,000).")
        parser.add_argument("--delete", action="store_true", help="Remove every generated record instead.")
        parser.add_argument("--batch-size", type=int, default=2000, help="Records written per transaction.")
        parser.add_argument(
            "--render",
            action="store_true",
            help="Store each batch's renderings as it is written (about a millisecond a record and "
            "a citation). Without it reads render what they show, as after a code change, and "
            "`render_records` stores them.",
        )
        parser.add_argument("--seed", type=int, default=1905)

    def handle(self, *args, records=None, delete=False, batch_size=2000, render=False, seed=1905, **options):
        if delete:
            if records is not None:
                raise CommandError("Give --records or --delete, not both.")
            counts = synthetic.delete()
            self.stdout.write(f"Deleted {sum(counts.values()):,} generated records.")
            return
        if records is None or not 1 <= records <= MOST_RECORDS:
            raise CommandError(f"Give --records N, from 1 to {MOST_RECORDS:,}.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        generator = synthetic.Synthesizer(records, batch_size=batch_size, render=render, seed=seed)
        total = sum(generator.counts.values())
        progress = Progress(total, sys.stderr if options["verbosity"] else None)
        try:
            for batch in generator.run():
                progress.advance(batch.records, batch.label)
        except synthetic.SyntheticDataExists:
            raise CommandError(
                "Generated records are there already: remove them with `synthesize --delete` first."
            ) from None
        seconds = progress.finish()
        kinds = ", ".join(f"{count:,} {label.split('.')[1]}" for label, count in generator.counts.items())
        self.stdout.write(f"Generated {total:,} records in {seconds:.0f} s: {kinds}.")
