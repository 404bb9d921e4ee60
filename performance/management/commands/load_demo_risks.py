"""Load the demo's risk registers (once), after load_demo_performance: see
performance.demo_risks."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from partnership.models import Partnership
from performance.demo_risks import load_risks


class Command(BaseCommand):
    help = (
        "Load the demo partnership's risk registers with a year of reviews (once), after "
        "load_demo_meetings and load_demo_performance, and print who tries them out."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Load with DJANGO_DEBUG off.")

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("load_demo_risks is for development (DJANGO_DEBUG=true).")
        partnership = Partnership.objects.filter(slug="demo").first()
        if partnership is None:
            raise CommandError("Load the demo partnership first: manage.py load_demo")
        try:
            loaded = load_risks(partnership=partnership)
        except ValidationError as exc:
            raise CommandError(f"The demo's risk registers broke a rule: {exc}") from exc
        if loaded is None:
            self.stdout.write(
                "The demo risk registers are already loaded: they are left as they are."
            )
            return
        registers = ", ".join(f"{body} {n}" for body, n in loaded.risks.items())
        escalated = " and ".join(risk.code for risk in loaded.escalated)
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {sum(loaded.risks.values())} risks ({registers}) with "
                f"{loaded.reviews} quarterly reviews. {escalated} are escalated to the Delivery "
                f"Board; {loaded.accepted.code} is accepted above appetite by its chair."
            )
        )
        self.stdout.write(
            "\nRisk registers:\n"
            "  coordinator@mercia-vale.example     every register, the heat map and the "
            "appetites\n"
            "  martin.ashworth@mercia-vale.example Delivery Board chair: two escalated risks "
            "to decide\n"
            "  tg.coordinator@mercia-vale.example  Safer and Stronger Communities' register\n"
            "  rachel.dunmore@mercia-vale.example  owner of an escalated risk: reviews due"
        )
