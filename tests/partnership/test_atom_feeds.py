"""The Atom feeds: valid Atom with the right entries, public whoever reads them (a member
signed in gets exactly what the public gets: no confidential title, no draft), and a fixed
number of queries however many entries."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from governance import services as gs
from governance.models import AgendaItem
from partnership.news import news_create, news_publish
from performance import services as ps
from performance.models import ReportKind
from performance.services.reports.common import save_version
from tests.governance.helpers import build_meetings
from tests.partnership.test_alerts import MARKER, plant_secret_reports, publish_with_secret
from tests.test_url_access import ROLES, _client_for

ATOM = "{http://www.w3.org/2005/Atom}"


def parse(response) -> ET.Element:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314 (our own feed)
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{required}") is not None
    return feed


def entries(feed: ET.Element) -> list[dict]:
    rows = []
    for entry in feed.findall(f"{ATOM}entry"):
        rows.append(
            {
                "title": entry.findtext(f"{ATOM}title"),
                "id": entry.findtext(f"{ATOM}id"),
                "link": entry.find(f"{ATOM}link").get("href"),
                "summary": entry.findtext(f"{ATOM}summary") or "",
                "updated": entry.findtext(f"{ATOM}updated"),
            }
        )
    return rows


def body_feed_url(world, body=None) -> str:
    return reverse(
        "partnership:body_feed_atom",
        kwargs={"partnership": world.partnership.slug, "body": (body or world.board).slug},
    )


def news_feed_url(world) -> str:
    return reverse("partnership:news_feed_atom", kwargs={"partnership": world.partnership.slug})


def plant_secrets(world):
    """A published agenda with a confidential item (marked), approved minutes whose
    confidential entry is marked, draft minutes marked in a public item's entry, and the
    Safer Group's exception reports that must stay hidden (marked) beside a public one."""
    meetings = build_meetings(world)
    meetings.public_report = plant_secret_reports(world, meetings)
    approved = publish_with_secret(world, days=-3)
    minutes = gs.minutes_start(actor=world.coordinator, meeting=approved)
    public = approved.items.get(title="Community safety plan")
    secret = approved.items.get(confidential=True)
    gs.minutes_save(
        actor=world.coordinator,
        minutes=minutes,
        entries={
            public.pk: ("Noted.", "Plan approved"),
            secret.pk: (f"Advice {MARKER}", f"Decision {MARKER}"),
        },
    )
    gs.minutes_submit(actor=world.coordinator, minutes=minutes)
    gs.minutes_approve(actor=world.chair, minutes=minutes)
    drafted = publish_with_secret(world, days=-1)
    draft = gs.minutes_start(actor=world.coordinator, meeting=drafted)
    gs.minutes_save(
        actor=world.coordinator,
        minutes=draft,
        entries={drafted.items.get(title="Community safety plan").pk: (MARKER, f"Draft {MARKER}")},
    )
    return meetings, approved, drafted


def test_the_body_feed_has_its_published_agendas_and_approved_minutes(client, world):
    meetings, approved, drafted = plant_secrets(world)
    feed = parse(client.get(body_feed_url(world)))
    rows = entries(feed)
    titles = [r["title"] for r in rows]
    for meeting in (meetings.upcoming, meetings.past, approved, drafted):
        assert f"Agenda published: {meeting.name}, {meeting.held_on:%-d %B %Y}" in titles
    assert f"Minutes approved: {approved.name}, {approved.held_on:%-d %B %Y}" in titles
    assert f"Minutes approved: {meetings.past.name}, {meetings.past.held_on:%-d %B %Y}" in titles
    # Draft agendas and draft minutes are not in it.
    assert not any("DRAFTMEETING" in t for t in titles)
    assert sum(t.startswith("Minutes approved") for t in titles) == 2
    # Every entry has its own id, though an agenda and its minutes share the meeting's page.
    assert len({r["id"] for r in rows}) == len(rows)
    # Newest first.
    assert [r["updated"] for r in rows] == sorted((r["updated"] for r in rows), reverse=True)
    # The agenda's public items are in its summary.
    upcoming = next(r for r in rows if meetings.upcoming.name in r["title"])
    assert "Community safety plan" in upcoming["summary"]


def test_another_bodys_feed_has_none_of_them(client, world):
    plant_secrets(world)
    assert entries(parse(client.get(body_feed_url(world, world.other)))) == []


def test_the_groups_feed_has_its_public_report_only(client, world):
    meetings, _, _ = plant_secrets(world)
    (row,) = entries(parse(client.get(body_feed_url(world, world.group))))
    assert row["title"] == f"Report published: {meetings.public_report.title}"
    assert row["link"].endswith(meetings.public_report.get_absolute_url())


def test_feed_entry_ids_come_from_the_sites_address_not_the_requests(client, world, settings):
    settings.ALLOWED_HOSTS = ["elsewhere.example"]
    item = news_create(
        actor=world.coordinator, partnership=world.partnership, title="A", summary="B", text="C"
    )
    news_publish(actor=world.coordinator, item=item)
    publish_with_secret(world)
    for url in (news_feed_url(world), body_feed_url(world)):
        (row,) = entries(parse(client.get(url, HTTP_HOST="elsewhere.example")))
        assert row["id"].startswith(settings.SITE_URL + "/"), row["id"]


def test_characters_xml_cannot_hold_are_dropped_from_the_feeds(client, world):
    item = news_create(
        actor=world.coordinator,
        partnership=world.partnership,
        title="Pasted\x0btitle",
        summary="A\x01summary",
        text="Story",
    )
    news_publish(actor=world.coordinator, item=item)
    meeting = publish_with_secret(world)
    AgendaItem.objects.filter(meeting=meeting, confidential=False).update(title="Safety\x0cplan")
    (news,) = entries(parse(client.get(news_feed_url(world))))
    assert (news["title"], news["summary"]) == ("Pastedtitle", "Asummary")
    (agenda,) = entries(parse(client.get(body_feed_url(world))))
    assert "Safetyplan" in agenda["summary"]


@pytest.mark.parametrize("role", ROLES)
def test_no_feed_carries_a_confidential_title_or_a_draft_for_anyone(role, client, world):
    """Feeds are public: a member of the Board signed in gets what the public gets."""
    plant_secrets(world)
    news_create(
        actor=world.coordinator,
        partnership=world.partnership,
        title=f"Draft news {MARKER}",
        summary=MARKER,
        text=MARKER,
    )
    client = _client_for(client, world, role)
    for url in (body_feed_url(world), body_feed_url(world, world.group), news_feed_url(world)):
        response = client.get(url)
        parse(response)
        for secret in (MARKER, "SECRETITEM", "SECRETMINUTE", "SECRETDECISION", "SECRETDRAFT"):
            assert secret.encode() not in response.content, (url, secret)


def test_the_news_feed_has_published_news_newest_first(client, world):
    stories = []
    for title in ("First", "Second"):
        item = news_create(
            actor=world.coordinator,
            partnership=world.partnership,
            title=title,
            summary=f"{title} <summary> & more",
            text="Story",
        )
        stories.append(news_publish(actor=world.coordinator, item=item))
    news_create(
        actor=world.coordinator, partnership=world.partnership, title="Draft", summary="x", text="y"
    )
    rows = entries(parse(client.get(news_feed_url(world))))
    assert [r["title"] for r in rows] == ["Second", "First"]
    assert rows[0]["link"].endswith(stories[1].get_absolute_url())
    assert rows[0]["summary"] == "Second &lt;summary&gt; &amp; more"  # escaped HTML, once


@pytest.mark.parametrize("size", [1, 4])
def test_the_body_feed_asks_the_same_queries_however_many_entries(
    size, client, world, django_assert_num_queries
):
    """``size`` published agendas, approved minutes and published reports each."""
    for n in range(size):
        meeting = publish_with_secret(world, days=-(n + 1))
        minutes = gs.minutes_start(actor=world.coordinator, meeting=meeting)
        item = meeting.items.get(title="Community safety plan")
        gs.minutes_save(
            actor=world.coordinator, minutes=minutes, entries={item.pk: ("Noted.", "Agreed")}
        )
        gs.minutes_submit(actor=world.coordinator, minutes=minutes)
        gs.minutes_approve(actor=world.chair, minutes=minutes)
        report, _ = save_version(
            actor=None,
            body=world.board,
            kind=ReportKind.NEWSLETTER,
            year=2025,
            issue=n + 1,
            title=f"Newsletter {n + 1}",
            facts={"kind": ReportKind.NEWSLETTER, "has_unpublished": False},
        )
        ps.report_publish(
            actor=world.coordinator, report=ps.report_approve(actor=world.chair, report=report)
        )
    url = body_feed_url(world)
    # The body; the agendas and their items; the minutes and their entries; the reports.
    with django_assert_num_queries(6):
        response = client.get(url)
    titles = [r["title"] for r in entries(parse(response))]
    assert len(titles) == 3 * size
    assert sum(t.startswith("Report published") for t in titles) == size
