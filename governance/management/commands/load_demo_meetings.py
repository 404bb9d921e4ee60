from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from governance.demo import load_meetings
from governance.demo_registers import load_registers
from partnership.models import Partnership


class Command(BaseCommand):
    help = "Load the demo Delivery Board's meetings and the registers (once), after load_demo."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Load with DJANGO_DEBUG off.")

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("load_demo_meetings is for development (DJANGO_DEBUG=true).")
        partnership = Partnership.objects.filter(slug="demo").first()
        if partnership is None:
            raise CommandError("Load the demo partnership first: manage.py load_demo")
        made = load_meetings(partnership=partnership)
        if made:
            self.stdout.write(self.style.SUCCESS(f"Loaded {made} Delivery Board meetings."))
        else:
            self.stdout.write("The demo meetings are already loaded: they are left as they are.")
        # After the meetings: an item on the coming meeting names an interest in the register.
        declared = load_registers(partnership=partnership)
        if declared:
            self.stdout.write(
                self.style.SUCCESS(f"Loaded the registers: {declared} declarations of interest.")
            )
        else:
            self.stdout.write("The demo registers are already loaded: they are left as they are.")
