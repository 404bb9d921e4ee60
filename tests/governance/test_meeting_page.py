"""The co-ordinator's meeting page and the meetings list follow the GOV.UK patterns: actions
not offered before they can be taken, item actions as a summary card's links, the destructive
one on a page of its own, and status tags that say what is latest."""

import re

import pytest
from django.urls import reverse

from governance import services as gs
from tests.governance.helpers import build_meetings, schedule


@pytest.fixture
def meetings(world):
    return build_meetings(world)


def page_of(client, meeting) -> str:
    response = client.get(meeting.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_minutes_and_attendance_are_not_offered_before_the_day_of_the_meeting(
    client, world, meetings
):
    client.force_login(world.coordinator)
    html = page_of(client, meetings.upcoming)

    assert "Start the minutes" not in html
    assert "Record attendance" not in html
    day = f"{meetings.upcoming.held_on:%A} {meetings.upcoming.held_on.day}"
    assert re.search(rf'id="minutes-open">You can start the minutes from .*{day}', html)
    assert re.search(rf'id="attendance-opens">You can record attendance .*{day}', html)


def test_minutes_and_attendance_are_offered_from_the_day_of_the_meeting(client, world):
    today = schedule(world, days=0)
    gs.item_add(actor=world.coordinator, meeting=today, title="Budget")
    gs.meeting_publish(actor=world.coordinator, meeting=today)
    client.force_login(world.coordinator)
    html = page_of(client, today)

    assert "Start the minutes" in html and "Record attendance" in html
    assert 'id="minutes-open"' not in html and 'id="attendance-opens"' not in html


def test_item_actions_are_the_summary_cards_action_links(client, world, meetings):
    client.force_login(world.coordinator)
    html = page_of(client, meetings.upcoming)

    card = html[html.index(f'id="item-{meetings.public_item.pk}"') :]
    actions = card[card.index("govuk-summary-card__actions") : card.index("</ul>")]
    for label in ("Edit", "Add a paper", "Move up", "Move down"):
        assert re.search(rf'class="govuk-summary-card__action">.*?>{label}<span', actions), label
    # Moving is a POST, drawn as a link: no button among the links.
    assert "govuk-button" not in actions
    assert actions.count("app-link-button") == 2


def test_an_awaited_paper_says_so_in_words_not_in_a_narrow_tag(client, world, meetings):
    gs.paper_add(
        actor=world.coordinator,
        item=meetings.public_item,
        title="Youth offending figures",
        owner=world.member,
    )
    client.force_login(world.coordinator)
    html = page_of(client, meetings.upcoming)

    assert "Awaiting the paper from Member" in html
    assert not re.search(r"govuk-tag[^>]*>\s*Awaiting", html)
    # The paper's own Edit link is the row's action, apart from the item's.
    assert re.search(r'govuk-summary-list__actions"><a[^>]*>Edit<span[^>]*> paper:', html)


def test_cancelling_is_apart_from_the_everyday_actions_on_a_page_of_its_own(
    client, world, meetings
):
    client.force_login(world.coordinator)
    html = page_of(client, meetings.upcoming)
    everyday = html[html.index('<div class="govuk-button-group">') :]
    everyday = everyday[: everyday.index("</div>")]
    cancel_url = reverse(
        "governance:meeting_cancel",
        kwargs={"partnership": world.partnership.slug, "pk": meetings.upcoming.pk},
    )

    assert "Add an item" in everyday and cancel_url not in everyday
    assert "govuk-button--warning" not in html
    assert f'href="{cancel_url}">Cancel this meeting</a>' in html

    confirm = client.get(cancel_url).content.decode()
    assert "Are you sure you want to cancel this meeting?" in confirm
    assert re.search(
        r'class="govuk-button govuk-button--warning"[^>]*>Cancel the meeting<', confirm
    )

    empty = client.post(cancel_url, {"reason": ""}).content.decode()
    assert "govuk-error-summary" in empty and 'id="id_reason-error"' in empty
    meetings.upcoming.refresh_from_db()
    assert meetings.upcoming.status == "published"


def test_publish_is_offered_only_once_there_is_an_item_of_business(client, world):
    meeting = schedule(world, days=10)
    client.force_login(world.coordinator)

    html = page_of(client, meeting)
    assert "Publish agenda" not in html
    assert "Add an item of business to publish the agenda." in html

    gs.item_add(actor=world.coordinator, meeting=meeting, title="Budget")
    assert "Publish agenda" in page_of(client, meeting)


def test_meetings_list_says_what_is_latest_about_each_meeting(client, world, meetings):
    held = schedule(world, days=-3)
    gs.item_add(actor=world.coordinator, meeting=held, title="Budget")
    gs.meeting_publish(actor=world.coordinator, meeting=held)
    url = reverse("governance:meeting_list", kwargs={"partnership": world.partnership.slug})

    html = client.get(url).content.decode()

    def status(meeting) -> str:
        row = html[html.index(meeting.get_absolute_url()) :]
        return re.search(r'class="govuk-tag[^"]*">([^<]+)</strong>', row)[1]

    assert status(meetings.past) == "Minutes approved"
    assert status(held) == "Held"
    assert status(meetings.upcoming) == "Agenda published"


def test_the_meetings_own_page_says_what_is_latest_too(client, meetings):
    tag = re.compile(
        r'<h1[^>]*>[^<]*</h1>\s*<p class="govuk-body"><strong class="govuk-tag[^"]*">([^<]+)<'
    )

    assert tag.search(page_of(client, meetings.past))[1] == "Minutes approved"
    assert tag.search(page_of(client, meetings.upcoming))[1] == "Agenda published"


def test_minutes_refused_at_submit_are_not_half_saved(client, world):
    """Save and submit are one step: a refused submit saves nothing (the form keeps what was
    typed), so neither a refusal nor an outage leaves a draft saved behind the person's back."""
    meeting = schedule(world, days=-3)
    item = gs.item_add(actor=world.coordinator, meeting=meeting, title="Budget")
    gs.meeting_publish(actor=world.coordinator, meeting=meeting)
    minutes = gs.minutes_start(actor=world.coordinator, meeting=meeting)
    client.force_login(world.coordinator)
    url = reverse(
        "governance:minutes_edit", kwargs={"partnership": world.partnership.slug, "pk": meeting.pk}
    )
    response = client.post(
        url, {f"text_{item.pk}": "", f"decision_{item.pk}": "Agreed TYPED", "submit": "1"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Write the minutes before submitting them" in page and "Agreed TYPED" in page
    entry = minutes.entries.get(item=item)
    assert entry.decision == "" and minutes.status == "draft"
