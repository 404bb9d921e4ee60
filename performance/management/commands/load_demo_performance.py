from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from membership.management.commands.load_demo import BODIES, PEOPLE
from membership.models import User
from partnership.models import Body, Partnership
from performance import selectors
from performance.demo import load_performance
from performance.management.demo_data import GROUPS, PERSONAS
from performance.permissions import can_sign_off

# Returns in these states are still the writer's to finish.
TO_WRITE = {"not_started", "draft", "sent_back"}


class Command(BaseCommand):
    help = (
        "Load the demo partnership's outcomes, indicators, targets and returns (once), after "
        "load_demo, and print who tries performance management out."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Load with DJANGO_DEBUG off.")

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("load_demo_performance is for development (DJANGO_DEBUG=true).")
        partnership = Partnership.objects.filter(slug="demo").first()
        if partnership is None:
            raise CommandError("Load the demo partnership first: manage.py load_demo")
        try:
            loaded = load_performance(partnership=partnership)
        except ValidationError as exc:
            raise CommandError(f"The demo's performance data broke a rule: {exc}") from exc
        if loaded is None:
            self.stdout.write("The demo performance data is already loaded: it is left as it is.")
        else:
            states = ", ".join(f"{n} {state}" for state, n in sorted(loaded.open_states.items()))
            self.stdout.write(
                self.style.SUCCESS(
                    f"Loaded {loaded.outcomes} outcomes, {loaded.indicators} indicators and "
                    f"{loaded.history} signed-off returns. This quarter's returns: {states}."
                )
            )
        self.print_personas(partnership)

    def print_personas(self, partnership: Partnership) -> None:
        period = selectors.open_quarter()
        names = {key: PEOPLE[key][0] for key, _ in PERSONAS}
        people = {u.full_name: u for u in User.objects.filter(full_name__in=names.values())}
        groups = list(
            Body.objects.filter(partnership=partnership, name__in=[BODIES[k][0] for k in GROUPS])
        )
        rows = [("E-mail", "Name", "Performance")]
        for key, role in PERSONAS:
            person = people.get(names[key])
            if person is None:
                continue
            rows.append((person.email, person.full_name, role + _count(person, groups)))
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        self.stdout.write(f"\nPerformance management: returns for {period.long_label} are open.")
        for row in rows:
            self.stdout.write(
                "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
            )


def _count(person: User, groups: list[Body]) -> str:
    """What is waiting for them now, from the same selectors as their pages."""
    owed = [d for d in selectors.returns_owed_by(person=person) if d.status in TO_WRITE]
    theirs = [body for body in groups if can_sign_off(person, body)]
    waiting = selectors.returns_awaiting_sign_off(bodies=theirs) if theirs else []
    parts = []
    if owed:
        parts.append(f"{len(owed)} to write")
    if waiting:
        parts.append(f"{len(waiting)} to sign off")
    return f" ({', '.join(parts)})" if parts else ""
