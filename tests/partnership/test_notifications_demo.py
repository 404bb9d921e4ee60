"""The demo's notification choices: ``load_demo_notifications`` gives the demo member a daily
digest of reminders and papers, and the chair a digest of risks with elections off, once."""

from io import StringIO

from django.core.management import call_command

from membership.management.commands.load_demo import email_for
from membership.models import User
from partnership.models import Delivery
from partnership.notifications import digest_hour_of, notification_choices


def test_the_demo_member_and_chair_have_their_own_choices(db, private_media):
    outputs = []
    for command in ("load_demo", "load_demo_notifications", "load_demo_notifications"):
        out = StringIO()
        call_command(command, "--force", stdout=out)
        outputs.append(out.getvalue())
    assert "/account/notifications/" in outputs[1]
    assert "already loaded" in outputs[2]
    member = User.objects.get(email=email_for("daniel"))
    choices = notification_choices(person=member)
    assert choices["reminders"] == choices["papers"] == Delivery.DIGEST
    assert choices["risk"] == Delivery.IMMEDIATE
    assert digest_hour_of(person=member) == 8
    chair = User.objects.get(email=email_for("catherine"))
    assert notification_choices(person=chair)["elections"] == Delivery.OFF
    assert digest_hour_of(person=chair) == 7
