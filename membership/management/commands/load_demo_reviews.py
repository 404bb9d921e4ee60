"""Load the demo's annual membership review (once), after load_demo and load_demo_meetings: the
body with a chair and the most members has this year's review open, with some outcomes
recorded, as its co-ordinator and chair would through the pages."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from membership.models import Membership, MembershipReview, ReviewOutcome, Role
from membership.selectors import body_coordinators, body_office_holders
from membership.services.reviews import review_open, review_url, sheet_decide, sheet_decider
from partnership.models import Body, Partnership
from partnership.periods import financial_year

SITE = "http://127.0.0.1:8000"
# The first two members' outcomes (by name), with the chair's note; the rest are to decide.
OUTCOMES = [
    (ReviewOutcome.CONTINUE, "A steady attender who brings the sector's view."),
    (
        ReviewOutcome.DISCUSS,
        "Has sent apologies to most meetings: ask the nominating organisation whether a "
        "colleague with more time should take the seat.",
    ),
]


class Command(BaseCommand):
    help = "Open the demo partnership's membership review for one body (once), with outcomes."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Load with DJANGO_DEBUG off.")

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("load_demo_reviews is for development (DJANGO_DEBUG=true).")
        partnership = Partnership.objects.filter(slug="demo").first()
        if partnership is None:
            raise CommandError("Load the demo partnership first: manage.py load_demo")
        today = timezone.localdate()
        year = financial_year(today)
        if MembershipReview.objects.filter(body__partnership=partnership, year=year).exists():
            self.stdout.write("The demo review is already loaded: it is left as it is.")
            return
        current = Membership.objects.current(on=today)
        chaired = current.filter(body=OuterRef("pk"), role=Role.CHAIR)
        body = (
            Body.objects.filter(partnership=partnership, closed_on__isnull=True)
            .filter(Exists(chaired))
            .annotate(
                members=Count(
                    "memberships",
                    filter=Q(memberships__in=current.exclude(role=Role.COORDINATOR)),
                )
            )
            .order_by("-members", "name")
            .first()
        )
        coordinators = body_coordinators(body=body) if body else []
        if body is None or not coordinators:
            raise CommandError("The demo has no body with a chair and a co-ordinator.")
        try:
            with transaction.atomic():
                review = review_open(
                    actor=coordinators[0], body=body, year=year, due_on=today + timedelta(days=28)
                )
                chair = sheet_decider(body_office_holders(body=body))
                sheets = review.sheets.exclude(membership__person=chair).order_by(
                    "membership__person__full_name"
                )
                for sheet, (outcome, note) in zip(sheets, OUTCOMES, strict=False):
                    sheet_decide(actor=chair, sheet=sheet, outcome=outcome, note=note)
        except ValidationError as exc:
            raise CommandError(f"The demo review broke a rule: {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(f"Opened the {body.name}'s membership review:")
            + f"\n  {SITE}{review_url(review)}"
            + f"\n  {coordinators[0].email}  opened it; sees every sheet"
            + f"\n  {chair.email}  records the outcomes still to decide"
        )
