"""Load the demo's reports (once), after load_demo_performance: see performance.demo_reports."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from membership.models import User
from partnership.models import Partnership
from performance.demo_reports import load_reports


class Command(BaseCommand):
    help = (
        "Load the demo partnership's exception reports, six-monthly report and published annual "
        "report (once), after load_demo_performance."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Load with DJANGO_DEBUG off.")

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("load_demo_reports is for development (DJANGO_DEBUG=true).")
        partnership = Partnership.objects.filter(slug="demo").first()
        coordinator = User.objects.filter(email="coordinator@mercia-vale.example").first()
        if partnership is None or coordinator is None:
            raise CommandError("Load the demo partnership first: manage.py load_demo")
        try:
            loaded = load_reports(partnership=partnership, coordinator=coordinator)
        except ValidationError as exc:
            raise CommandError(f"The demo's reports broke a rule: {exc}") from exc
        if loaded is None:
            self.stdout.write("The demo reports are already loaded: they are left as they are.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {loaded.exception_reports} exception reports (one approved and on the "
                "Delivery Board's next agenda, one awaiting its chair); "
                f"{loaded.six_monthly.title}; and {loaded.annual.title}, published. "
                "Their PDFs are rendered by the Celery worker."
            )
        )
