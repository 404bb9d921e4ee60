from io import StringIO

from django.core.management import call_command

from membership.models import Membership, User
from partnership.models import Body


def test_demo_loads_once_and_running_again_keeps_the_data(db):
    call_command("load_demo", "--force", stdout=StringIO())
    counts = (User.objects.count(), Body.objects.count(), Membership.objects.count())
    out = StringIO()
    call_command("load_demo", "--force", stdout=out)
    assert (User.objects.count(), Body.objects.count(), Membership.objects.count()) == counts
    assert "coordinator@mercia-vale.example" in out.getvalue()


def test_demo_permissions_match_the_memberships(db):
    call_command("load_demo", "--force", stdout=StringIO())
    out = StringIO()
    call_command("sync_permissions", "--check", stdout=out)
    assert "Every permission matches" in out.getvalue()


def test_demo_refuses_to_load_with_debug_off(db, settings):
    import pytest
    from django.core.management import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError, match="for development"):
        call_command("load_demo", stdout=StringIO())
