"""Load the demo partnership's news (once), after load_demo: four published stories, spread
over the last few months, and a draft only its co-ordinators see."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from partnership.history import record_actor
from partnership.models import NewsItem, Partnership
from partnership.news import news_create

# (days ago it was published, or None for a draft; title; summary; story)
STORIES = [
    (
        3,
        "Community safety plan agreed for the coming year",
        "The Partnership Board agreed the new community safety plan, with burglary and "
        "anti-social behaviour as its first priorities.",
        "The Board agreed the plan at its meeting after a month of consultation with residents "
        "and partners.\n\nThe Safer Communities Group will report on its progress each quarter.",
    ),
    (
        24,
        "Volunteers wanted for the area partnership boards",
        "Each area partnership board has places for residents and local groups: find out how "
        "to take part.",
        "Area partnership boards meet four times a year in each neighbourhood.\n\nContact the "
        "partnership's co-ordinators to ask about a place.",
    ),
    (
        61,
        "Annual report published",
        "Our annual report sets out what the partnership achieved last year against the "
        "sustainable community strategy.",
        "The report covers every thematic group's indicators and the risks the partnership "
        "manages.\n\nRead it on the publications page.",
    ),
    (
        95,
        "New chair of the Health and Wellbeing Partnership",
        "The Health and Wellbeing Partnership elected its new chair at its autumn meeting.",
        "The chair was elected by secret ballot of the group's voting members.",
    ),
    (
        None,
        "Draft: spring newsletter",
        "Not yet published: the co-ordinators are still writing it.",
        "To follow.",
    ),
]


class Command(BaseCommand):
    help = "Load the demo partnership's news (once), after load_demo."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Load with DJANGO_DEBUG off.")

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("load_demo_news is for development (DJANGO_DEBUG=true).")
        partnership = Partnership.objects.filter(slug="demo").first()
        if partnership is None:
            raise CommandError("Load the demo partnership first: manage.py load_demo")
        if NewsItem.objects.filter(partnership=partnership).exists():
            self.stdout.write("The demo news is already loaded: it is left as it is.")
            return
        now = timezone.now()
        with transaction.atomic():
            for days, title, summary, text in STORIES:
                item = news_create(
                    actor=None, partnership=partnership, title=title, summary=summary, text=text
                )
                if days is not None:
                    # Published in the past, and saved as news_publish saves it (its history,
                    # its search entry), but not through it, so loading the demo alerts nobody.
                    item.published_at = now - timedelta(days=days)
                    record_actor(item, actor=None, reason="Published")
                    item.save(update_fields=["published_at"])
        self.stdout.write(self.style.SUCCESS(f"Loaded {len(STORIES)} news stories (one a draft)."))
