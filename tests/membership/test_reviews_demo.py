"""The demo's membership review: ``load_demo_reviews`` opens one body's review with some
outcomes recorded, once however often it runs."""

from io import StringIO

from django.core.management import call_command

from membership.models import MembershipReview


def test_the_demo_has_a_review_open_with_some_outcomes(db, private_media):
    for command in ("load_demo", "load_demo_meetings", "load_demo_reviews", "load_demo_reviews"):
        out = StringIO()
        call_command(command, "--force", stdout=out)
    assert "already loaded" in out.getvalue()
    review = MembershipReview.objects.get()
    assert review.completed_at is None
    outcomes = sorted(o for o in review.sheets.values_list("outcome", flat=True) if o)
    assert outcomes == ["continue", "discuss"]
    assert review.sheets.filter(outcome="").exists()
