"""Load the demo's elections (once), after load_demo: see membership.demo_elections."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from membership.demo_elections import SITE, load_elections, write_codes
from membership.models import Election
from partnership.models import Partnership

# stage: (who, what they can try), printed after each election's address ({pk}: its id).
TRIES = {
    "nominations": [
        ("member@mercia-vale.example", "accept or decline his nomination; second Stuart Ingham's"),
        ("martin.ashworth@mercia-vale.example", "propose a candidate"),
        ("coordinator@mercia-vale.example", "see the nominations; cancel before voting opens"),
        ("governance@mercia-vale.example", "make her counting code (shown once) before voting"),
    ],
    "voting": [
        ("member@mercia-vale.example", "vote now (3 of 6 have voted) and keep the receipt"),
        ("coordinator@mercia-vale.example", "see the turnout, never how anyone voted"),
    ],
    "sealed": [
        ("governance@mercia-vale.example", "count: enter her counting code (from the file below)"),
        ("coordinator@mercia-vale.example", "count second: the result is then declared"),
        ("anyone, signed in or not", "the bulletin board, once counted: check it yourself"),
    ],
    "closed": [
        ("tg.coordinator@mercia-vale.example", "the result: votes, turnout, who was elected"),
        ("anyone, signed in or not", "check a receipt was counted; the bulletin board"),
        ("manage.py verify_election {pk}", "check the whole count again, as anyone could"),
    ],
}
TITLES = {
    "nominations": "taking nominations",
    "voting": "voting open",
    "sealed": "voting closed, waiting for the count",
    "closed": "closed, counted, result declared",
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
        "Load the demo partnership's four elections (once), one taking nominations, one with "
        "voting open, one waiting for its count and one with its result declared, write the "
        "demo officers' counting codes (demo only) and print who tries what."
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
        path = write_codes(partnership=partnership, made=loaded.codes)
        if not loaded.elections:
            self.stdout.write("The demo elections are already loaded: they are left as they are.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Loaded {len(loaded.elections)} demo elections."))
            for stage, election in loaded.elections.items():
                self.stdout.write(f"\n{election} ({TITLES[stage]}):\n  {_url(election)}")
                tries = [(who.format(pk=election.pk), what) for who, what in TRIES[stage]]
                width = max(len(who) for who, _ in tries)
                for who, what in tries:
                    self.stdout.write(f"  {who.ljust(width)}  {what}")
        if path is not None:
            self.stdout.write(
                f"\nDEMO ONLY: the counting officers' codes are in {path}\n"
                "(a real site never stores a counting code)."
            )
