from django.core.management.base import BaseCommand

from partnership.search.indexing import rebuild


class Command(BaseCommand):
    help = (
        "Index every searchable record again (as the nightly job does), in batches, and drop "
        "the entries of records that no longer exist."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size: int = 500, **options):
        written = rebuild(batch_size=batch_size)
        self.stdout.write(f"Search index rebuilt: {written} entries.")
