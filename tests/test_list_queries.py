"""Every list page uses the same number of queries for 5 rows as for 50, and at most 8 in all
(session, user and the viewer's rights included): rights are read once per request and rows
are fetched in bulk, never one by one."""

from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from governance import services as gs
from membership import services as ms
from partnership import services as ps
from tests.factories import UserFactory

MAX_QUERIES = 8
# The account page also asks each app's panel (partnership/panels.py) whether it has
# anything to say: performance asks whether the person writes returns and reads their rights,
# and which risks they own still want this quarter's review.
LIMITS = {"account": 11}


def grow(world, start: int, stop: int) -> None:
    """Rows ``start`` to ``stop`` of every list: a body with a seat that the member holds (and
    a co-ordinator of its own), an organisation, a published meeting of the Board, an interest
    and a gift in the Board's registers."""
    today = timezone.localdate()
    for i in range(start, stop):
        org = ps.organisation_create(
            actor=None, partnership=world.partnership, name=f"Org {i}", sector="public"
        )
        body = ps.body_create(
            actor=None,
            partnership=world.partnership,
            name=f"Group {i}",
            kind="forum",
            parent=world.board,
        )
        seat = ms.seat_create(actor=None, body=body, name="Members", count=2, voting=True)
        ms.membership_create(
            actor=None, body=body, seat=seat, person=world.member, starts_on=world.start
        )
        ms.appointment_create(
            actor=None,
            person=UserFactory(),
            partnership=world.partnership,
            body=body,
            starts_on=world.start,
        )
        meeting = gs.meeting_create(
            actor=world.coordinator,
            body=world.board,
            held_on=today + timedelta(days=i + 1),
            start_time=time(10, 0),
            venue="Town Hall",
        )
        gs.item_add(actor=world.coordinator, meeting=meeting, title=f"Item {i}")
        gs.meeting_publish(actor=world.coordinator, meeting=meeting)
        gs.declaration_create(
            actor=world.member,
            partnership=world.partnership,
            person=world.member,
            kind="business",
            holder="self",
            organisation=org,
            description=f"Director of firm {i}",
            starts_on=world.start,
        )
        gs.gift_declare(
            actor=world.member,
            partnership=world.partnership,
            person=world.member,
            body=world.board,
            kind="gift",
            donor=f"Firm {i}",
            description="A diary",
            value=Decimal("5"),
            offered_on=today,
            decision="declined",
        )


def pages(world) -> dict[str, tuple[str, str]]:
    p = world.partnership.slug
    board = {"partnership": p, "body": world.board.slug}
    return {
        "structure": ("coordinator", reverse("membership:structure", kwargs={"partnership": p})),
        "organisations": (
            "coordinator",
            reverse("partnership:organisation_list", kwargs={"partnership": p}),
        ),
        "co-ordinators": (
            "coordinator",
            reverse("membership:appointment_list", kwargs={"partnership": p}),
        ),
        "account": ("member", reverse("account:home")),
        "your meetings": ("member", reverse("my_meetings")),
        "meetings": ("coordinator", reverse("governance:meeting_list", kwargs={"partnership": p})),
        "a body's meetings": ("coordinator", reverse("governance:body_meetings", kwargs=board)),
        "registers": (
            "coordinator",
            reverse("governance:registers_home", kwargs={"partnership": p}),
        ),
        "register of interests": ("chair", reverse("governance:body_interests", kwargs=board)),
        "gifts and hospitality": ("chair", reverse("governance:body_gifts", kwargs=board)),
        "your declarations": (
            "member",
            reverse("governance:my_registers", kwargs={"partnership": p}),
        ),
    }


def count(client, world) -> dict[str, int]:
    counts = {}
    for name, (role, url) in pages(world).items():
        client.force_login(getattr(world, role))
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200, name
        counts[name] = len(ctx.captured_queries)
    return counts


def test_list_pages_use_the_same_few_queries_for_5_and_50_rows(client, world):
    grow(world, 0, 5)
    few = count(client, world)
    grow(world, 5, 50)
    many = count(client, world)
    assert many == few
    assert {name: n for name, n in few.items() if n > LIMITS.get(name, MAX_QUERIES)} == {}
