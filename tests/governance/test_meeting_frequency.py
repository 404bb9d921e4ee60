"""A body states how often it meets (``meetings_a_year``, 1 to 52); this financial year's
schedule (April to March, cancelled meetings not counted) is checked against it in one query,
and those who manage the body are warned on its page and its meetings list when it falls short."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from governance.models import Meeting, MeetingStatus
from governance.selectors.frequency import schedule_shortfall
from partnership import services as ps
from partnership.forms import BodyForm
from partnership.models import Body
from tests.pages import html_of

MEETING_FREQUENCY_URLS: set[str] = set()  # no new address: the body page and meetings list

TODAY = date(2026, 12, 3)  # in 2026/27


def meet(body, *days: date, status: str = MeetingStatus.PUBLISHED) -> None:
    Meeting.objects.bulk_create(
        Meeting(body=body, held_on=day, start_time=time(10, 0), status=status) for day in days
    )


def quarterly(body) -> Body:
    return ps.body_update(actor=None, body=body, meetings_a_year=4)


def test_a_body_with_no_frequency_has_no_shortfall(world):
    assert schedule_shortfall(body=world.group, today=TODAY) is None


def test_a_closed_body_has_no_shortfall(world):
    group = quarterly(world.subgroup)
    Body.objects.filter(pk=group.pk).update(closed_on=date(2026, 11, 1))
    group.refresh_from_db()
    assert schedule_shortfall(body=group, today=TODAY) is None


def test_only_this_financial_years_meetings_count(world, django_assert_num_queries):
    group = quarterly(world.group)
    meet(group, date(2026, 3, 31), date(2027, 4, 1))  # 2025/26 and 2027/28
    meet(group, date(2026, 4, 1), date(2027, 3, 31))  # the first and last days of 2026/27
    meet(world.other, date(2026, 6, 1))  # another body's
    with django_assert_num_queries(1):
        shortfall = schedule_shortfall(body=group, today=TODAY)
    assert (shortfall.year_label, shortfall.scheduled, shortfall.needed) == ("2026/27", 2, 4)
    assert shortfall.missing == 2


def test_cancelled_meetings_do_not_count_but_drafts_still_to_come_do(world):
    group = quarterly(world.group)
    meet(group, date(2026, 5, 1), status=MeetingStatus.CANCELLED)
    # A past meeting whose agenda never went out was not held; one still to come is scheduled.
    meet(group, date(2026, 6, 1), status=MeetingStatus.DRAFT)
    meet(group, date(2027, 1, 14), status=MeetingStatus.DRAFT)
    assert schedule_shortfall(body=group, today=TODAY).scheduled == 1


def test_a_full_schedule_misses_nothing(world):
    group = quarterly(world.group)
    meet(group, *(date(2026, m, 1) for m in (5, 6, 7, 8, 9)))
    assert schedule_shortfall(body=group, today=TODAY).missing == 0


def form(**data) -> BodyForm:
    fields = {"name": "Board", "kind": "partnership_board", **data}
    return BodyForm(fields, parents=Body.objects.none(), allow_top_level=True)


@pytest.mark.parametrize("value", ["0", "53", "four", "-1"])
def test_the_form_takes_only_1_to_52_meetings_a_year(db, value):
    f = form(meetings_a_year=value)
    assert not f.is_valid()
    assert "meetings_a_year" in f.errors


def test_the_form_may_leave_the_frequency_blank(db):
    f = form(meetings_a_year="")
    assert f.is_valid(), f.errors
    assert f.cleaned_data["meetings_a_year"] is None


def test_editing_a_body_saves_its_frequency(client, world):
    client.force_login(world.coordinator)
    url = reverse(
        "partnership:body_edit", kwargs={"partnership": world.partnership.slug, "body": "board"}
    )
    response = client.post(
        url, {"name": "Board", "kind": "partnership_board", "meetings_a_year": "6"}
    )
    assert response.status_code == 302
    world.board.refresh_from_db()
    assert world.board.meetings_a_year == 6


def test_the_service_refuses_more_than_52(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        ps.body_update(actor=None, body=world.group, meetings_a_year=53)


def body_page(world, body) -> str:
    return reverse(
        "membership:body", kwargs={"partnership": world.partnership.slug, "body": body.slug}
    )


def meetings_page(world, body) -> str:
    return reverse(
        "governance:body_meetings",
        kwargs={"partnership": world.partnership.slug, "body": body.slug},
    )


WARNING = "schedule has 1 of the 4 meetings the Safer Group holds a year"


@pytest.mark.parametrize("page", [body_page, meetings_page])
def test_those_who_manage_the_body_are_warned_of_a_short_schedule(client, world, page):
    group = quarterly(world.group)
    meet(group, timezone.localdate())
    client.force_login(world.group_coordinator)
    html = " ".join(html_of(client, page(world, group)).split())
    assert WARNING in html
    create = reverse(
        "governance:meeting_create",
        kwargs={"partnership": world.partnership.slug, "body": group.slug},
    )
    assert f'href="{create}">schedule 3 more</a>' in html


@pytest.mark.parametrize("persona", [None, "member", "outsider"])
@pytest.mark.parametrize("page", [body_page, meetings_page])
def test_nobody_else_is_warned(client, world, page, persona):
    group = quarterly(world.group)
    if persona:
        client.force_login(getattr(world, persona))
    html = " ".join(html_of(client, page(world, group)).split())
    assert "holds a year" not in html


def test_everyone_reads_how_often_the_body_meets(client, world):
    group = quarterly(world.group)
    html = " ".join(html_of(client, body_page(world, group)).split())
    assert "Meets at least 4 times a year" in html


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


@pytest.mark.parametrize("persona", [None, "member", "coordinator"])
def test_the_warning_costs_a_manager_one_query_and_nobody_else_any(client, world, persona):
    if persona:
        client.force_login(getattr(world, persona))
    url = body_page(world, world.board)
    before = queries(client, url)
    quarterly(world.board)
    assert queries(client, url) == before + (persona == "coordinator")


@pytest.mark.parametrize(
    "change",
    [
        {"closed_on": date(2027, 1, 31)},  # closing within the year: no meeting after it
        {"ends_on": date(2027, 2, 28)},  # a task-and-finish group ending before March
        {"established_on": date(2026, 9, 1)},  # set up after the year began
    ],
)
def test_a_body_that_does_not_live_the_whole_year_is_not_held_to_a_years_count(world, change):
    group = quarterly(world.subgroup)
    Body.objects.filter(pk=group.pk).update(**change)
    group.refresh_from_db()
    assert schedule_shortfall(body=group, today=TODAY) is None
