"""Load the demo's register of key partnerships and its commissioning agreements (once), after
load_demo_risks and load_demo_reports: see performance.demo_partnerships and
performance.demo_agreements."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from partnership.models import Partnership
from performance.demo_agreements import load_agreements
from performance.demo_partnerships import load_key_partnerships


class Command(BaseCommand):
    help = (
        "Load the demo partnership's register of 13 key partnerships and its commissioning "
        "agreements (once), after load_demo_risks, and print who tries them out."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Load with DJANGO_DEBUG off.")

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("load_demo_key_partnerships is for development (DJANGO_DEBUG=true).")
        partnership = Partnership.objects.filter(slug="demo").first()
        if partnership is None:
            raise CommandError("Load the demo partnership first: manage.py load_demo")
        try:
            loaded = load_key_partnerships(partnership=partnership)
            agreements = load_agreements(partnership=partnership)
        except ValidationError as exc:
            raise CommandError(f"The demo's key partnerships broke a rule: {exc}") from exc
        if loaded is None:
            self.stdout.write(
                "The demo key partnerships are already loaded: they are left as they are."
            )
        else:
            overdue = " and ".join(kp.name for kp in loaded.overdue)
            self.stdout.write(
                self.style.SUCCESS(
                    f"Loaded {len(loaded.key_partnerships)} key partnerships, published: the "
                    f"reviews of {overdue} are overdue, {len(loaded.due_soon)} more are due "
                    "within 90 days."
                )
            )
        if agreements is None:
            self.stdout.write("The demo agreements are already loaded: they are left as they are.")
        self.stdout.write(
            "\nKey partnerships:\n"
            "  governance@mercia-vale.example   governance lead: keeps the register\n"
            "  coordinator@mercia-vale.example  keeps the register; leads the payroll review"
        )
