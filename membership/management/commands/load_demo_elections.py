"""Load the demo's elections (once), after load_demo: see membership.demo_elections."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from membership.demo_elections import load_elections
from membership.models import Election
from partnership.models import Partnership

SITE = "http://127.0.0.1:8000"
# stage: (who, what they can try), printed after each election's address.
TRIES = {
    "nominations": [
        ("member@mercia-vale.example", "accept or decline his nomination; second Stuart Ingham's"),
        ("martin.ashworth@mercia-vale.example", "propose a candidate"),
        ("coordinator@mercia-vale.example", "see the nominations; cancel before voting opens"),
    ],
    "voting": [
        ("member@mercia-vale.example", "vote now (3 of 6 have voted) and keep the receipt code"),
        ("coordinator@mercia-vale.example", "see the turnout, never how anyone voted"),
    ],
    "closed": [
        ("tg.coordinator@mercia-vale.example", "the result: votes, turnout, who was elected"),
        ("anyone, signed in or not", "check a receipt code was counted"),
    ],
}
TITLES = {
    "nominations": "taking nominations",
    "voting": "voting open",
    "closed": "closed, result declared",
}


def _url(election: Election) -> str:
    return SITE + reverse(
        "membership:election_detail",
        kwargs={
            "partnership": election.body.partnership.slug,
            "body": election.body.slug,
            "pk": election.pk,
        },
    )


class Command(BaseCommand):
    help = (
        "Load the demo partnership's three elections (once), one taking nominations, one with "
        "voting open and one with its result declared, and print who tries what."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Load with DJANGO_DEBUG off.")

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("load_demo_elections is for development (DJANGO_DEBUG=true).")
        partnership = Partnership.objects.filter(slug="demo").first()
        if partnership is None:
            raise CommandError("Load the demo partnership first: manage.py load_demo")
        try:
            loaded = load_elections(partnership=partnership)
        except ValidationError as exc:
            raise CommandError(f"The demo's elections broke a rule: {exc}") from exc
        if not loaded.elections:
            self.stdout.write("The demo elections are already loaded: they are left as they are.")
            return
        self.stdout.write(self.style.SUCCESS(f"Loaded {len(loaded.elections)} demo elections."))
        for stage, election in loaded.elections.items():
            self.stdout.write(f"\n{election} ({TITLES[stage]}):\n  {_url(election)}")
            width = max(len(who) for who, _ in TRIES[stage])
            for who, what in TRIES[stage]:
                self.stdout.write(f"  {who.ljust(width)}  {what}")
