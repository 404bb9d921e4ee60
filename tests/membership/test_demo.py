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


def test_the_demo_delivery_board_has_a_meeting_cycle_ready_to_try(db):
    from governance.models import Meeting, MinutesStatus
    from governance.services import acting_as

    call_command("load_demo", "--force", stdout=StringIO())
    call_command("load_demo_meetings", "--force", stdout=StringIO())
    meetings = list(Meeting.objects.filter(body__name="Delivery Board").order_by("held_on"))
    assert [m.status for m in meetings] == ["published", "published", "published", "draft"]
    waiting = meetings[1].minutes.get()
    assert waiting.status == MinutesStatus.SUBMITTED
    chair = User.objects.get(full_name="Martin Ashworth")
    assert acting_as(person=chair, minutes=waiting) == "Chair"
    assert meetings[0].minutes.get().status == MinutesStatus.APPROVED
    out = StringIO()
    call_command("load_demo_meetings", "--force", stdout=out)
    assert "already loaded" in out.getvalue()
    assert Meeting.objects.count() == 4


def test_the_demo_has_the_structure_the_seeds_describe(db):
    from membership.models import Seat
    from partnership.models import Organisation

    call_command("load_demo", "--force", stdout=StringIO())
    bodies = {b.name: b for b in Body.objects.filter(partnership__slug="demo")}
    board = bodies["Mercia Vale Partnership Board"]
    # Warrington Appendix F: the Board's membership categories.
    seats = set(Seat.objects.filter(body=board).values_list("name", flat=True))
    assert {
        "Chair",
        "Deputy Chair",
        "Borough Council",
        "Business sector representatives",
        "Voluntary sector representatives",
        "Area based representatives",
        "Delivery Board representative",
    } <= seats
    assert sum(1 for name in seats if name.startswith("Thematic Group representatives")) == 4
    kinds = [b.kind for b in bodies.values()]
    assert kinds.count("thematic_group") == 4
    assert kinds.count("delivery_board") == 1
    assert kinds.count("task_and_finish") == 1
    assert kinds.count("area_board") == 3
    # Each thematic group states its areas of responsibility.
    assert all(
        "Leads the partnership's work on" in b.remit
        for b in bodies.values()
        if b.kind == "thematic_group"
    )
    organisations = Organisation.objects.filter(partnership__slug="demo")
    assert organisations.count() >= 20
    assert {o.sector for o in organisations} == {"public", "private", "voluntary"}
    assert User.objects.filter(memberships__body__partnership__slug="demo").distinct().count() >= 40
    # A demo sign-in for each role.
    for email in ("coordinator", "tg.coordinator", "chair", "member", "governance", "admin"):
        assert User.objects.filter(email=f"{email}@mercia-vale.example").exists(), email
