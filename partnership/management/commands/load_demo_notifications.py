"""Give two demo people their own choices of how they hear about things (after load_demo): the
member has reminders and papers in a daily digest at 08:00, the Board's chair has risks in a
digest at 07:00 and elections turned off. Running it again changes nothing."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from membership.management.commands.load_demo import SITE, email_for
from membership.models import User
from partnership.models import Delivery
from partnership.notifications import notification_choices, notification_preferences_update

# who: (digest hour, {kind: delivery})
CHOICES = {
    "daniel": (8, {"reminders": Delivery.DIGEST, "papers": Delivery.DIGEST}),
    "catherine": (7, {"risk": Delivery.DIGEST, "elections": Delivery.OFF}),
}


class Command(BaseCommand):
    help = "Give two demo people a daily digest and a kind turned off (once)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Load with DJANGO_DEBUG off.")

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("load_demo_notifications is for development (DJANGO_DEBUG=true).")
        people = User.objects.in_bulk([email_for(key) for key in CHOICES], field_name="email")
        if len(people) != len(CHOICES):
            raise CommandError("Load the demo partnership first: manage.py load_demo")
        changed = 0
        for key, (hour, choices) in CHOICES.items():
            person = people[email_for(key)]
            changed += notification_preferences_update(
                actor=None,
                person=person,
                choices={**notification_choices(person=person), **choices},
                digest_hour=hour,
            )
        if not changed:
            self.stdout.write("The demo's notification choices are already loaded.")
            return
        self.stdout.write(
            self.style.SUCCESS("Gave two demo people their own notification choices:")
            + f"\n  {email_for('daniel')}  reminders and papers in a daily digest at 08:00"
            + f"\n  {email_for('catherine')}  risks in a daily digest at 07:00, no election e-mails"
            + f"\n  {SITE}/account/notifications/"
        )
