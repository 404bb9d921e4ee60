"""Papers' versions and supplementary papers: replacing a paper's file keeps the old one (on
disk and as a PaperVersion) and says what changed; a paper's words are read in the
background, once, for its current file only; a paper added after circulation is a
supplementary paper, accepted late by the chair and flagged so, never chased as late."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from governance import selectors
from governance import services as gs
from governance.documents import _agenda_facts
from governance.models import Paper, PaperVersion
from governance.selectors.library import paper_versions_visible
from governance.tasks import extract_paper_text
from partnership.celery import app as celery_app
from partnership.models import Notice, OutboxJob
from partnership.storage import private_storage
from tests.conftest import fresh
from tests.governance.helpers import build_meetings, pdf_bytes, schedule
from tests.test_url_access import drain


@pytest.fixture
def g(world):
    return build_meetings(world)


def replace(world, paper, text="Second draft", note="Figures corrected"):
    return gs.paper_update(
        actor=world.coordinator,
        paper=paper,
        upload=("plan-v2.pdf", pdf_bytes(text)),
        change_note=note,
    )


# --- replacing a file ---------------------------------------------------------------------------


def test_replacing_a_file_keeps_the_old_one_as_an_earlier_version(world, g):
    before = Paper.objects.get(pk=g.public_paper.pk)
    paper = replace(world, g.public_paper)
    assert (paper.version, paper.change_note) == (2, "Figures corrected")
    assert paper.circulated_at is None and paper.file.name != before.file.name
    (old,) = paper.versions.all()
    assert (old.number, old.file.name, old.file_name) == (1, before.file.name, "plan.pdf")
    assert old.uploaded_at == before.uploaded_at and old.circulated_at == before.circulated_at
    assert old.replaced_by == world.coordinator and old.change_note == ""
    # Neither file is deleted, now or once the change commits.
    assert private_storage.exists(old.file.name) and private_storage.exists(paper.file.name)


def test_each_replacement_is_the_next_version_with_its_own_note(world, g):
    replace(world, g.public_paper, note="First change")
    paper = replace(world, g.public_paper, note="Second change")
    assert paper.version == 3
    assert [(v.number, v.change_note) for v in paper.versions.all()] == [
        (2, "First change"),
        (1, ""),
    ]


def test_replacing_a_file_says_what_changed(world, g):
    with pytest.raises(ValidationError) as caught:
        gs.paper_update(
            actor=world.coordinator,
            paper=g.public_paper,
            upload=("plan-v2.pdf", pdf_bytes()),
            change_note="  ",
        )
    assert caught.value.message_dict["change_note"] == [
        "Enter what changed in this version of the paper"
    ]
    assert not PaperVersion.objects.exists()


def test_a_first_file_is_version_one_and_needs_no_note(world):
    meeting = schedule(world, days=10)
    item = gs.item_add(actor=world.coordinator, meeting=meeting, title="Plan")
    paper = gs.paper_add(actor=world.coordinator, item=item, title="Plan", owner=world.member)
    paper = gs.paper_update(actor=world.coordinator, paper=paper, upload=("a.pdf", pdf_bytes()))
    assert (paper.version, paper.change_note) == (1, "")
    assert not paper.versions.exists()


def test_changing_the_cover_sheet_alone_makes_no_version(world, g):
    paper = gs.paper_update(actor=world.coordinator, paper=g.public_paper, title="Renamed")
    assert paper.version == 1 and not paper.versions.exists()


# --- words, in the background ---------------------------------------------------------------


def test_a_papers_words_are_read_after_commit_for_its_current_file_only(world, g):
    paper = replace(world, g.public_paper, text="Burglary fell by a tenth")
    assert paper.text == ""
    jobs = OutboxJob.objects.filter(task="governance.tasks.extract_paper_text")
    assert [paper.pk, 2] in [job.args for job in jobs]
    # A job for the file it replaced finds the paper moved on, and does nothing.
    assert extract_paper_text(paper.pk, 1) is False
    assert extract_paper_text(paper.pk, 2) is True
    paper.refresh_from_db()
    assert "Burglary fell by a tenth" in paper.text
    # Delivered twice: nothing more to do, and nothing in the paper's history.
    history = paper.history.count()
    assert gs.paper_extract_text(paper_id=paper.pk, version=2) is False
    assert paper.history.count() == history


# --- who sees earlier versions ----------------------------------------------------------------


def test_earlier_versions_follow_the_paper_and_an_uncirculated_one_stays_with_the_officers(
    world, g
):
    replace(world, g.public_paper, note="Second")  # version 1 had been circulated
    replace(world, g.public_paper, note="Third")  # version 2 never was
    public, manage = selectors.PUBLIC, selectors.body_access(world.coordinator, world.board)
    paper = Paper.objects.get(pk=g.public_paper.pk)
    # Not yet circulated again: the paper is the officers' alone, and so are its versions.
    assert not selectors.paper_visible(paper, public)
    assert [v.number for v in paper_versions_visible(paper, manage)] == [2, 1]
    gs.papers_circulate(actor=world.coordinator, meeting=g.upcoming)
    assert [v.number for v in paper_versions_visible(paper, public)] == [1]


def test_the_public_reads_an_earlier_version_of_a_public_paper_once_it_is_out_again(
    client, world, g
):
    replace(world, g.public_paper)
    args = {"partnership": world.partnership.slug, "pk": g.upcoming.pk}
    url = reverse(
        "governance:paper_version_file", kwargs={**args, "paper": g.public_paper.pk, "number": 1}
    )
    assert client.get(url).status_code == 404
    gs.papers_circulate(actor=world.coordinator, meeting=g.upcoming)
    response = client.get(url)
    assert drain(response).startswith(b"%PDF")
    assert response["Cache-Control"] == "private"
    page = client.get(reverse("governance:paper", kwargs={**args, "paper": g.public_paper.pk}))
    assert b"Earlier versions" in page.content and b"Figures corrected" in page.content
    missing = url.replace("/versions/1/", "/versions/9/")
    assert client.get(missing).status_code == 404


# --- supplementary papers ------------------------------------------------------------------------


def supplementary(world, g, **overrides):
    fields = {
        "actor": world.coordinator,
        "item": g.public_item,
        "title": "Revised costs",
        "owner": world.member,
        "late_reason": "The contractor's prices came in yesterday",
        "accepted_by": world.chair,
        "upload": ("costs.pdf", pdf_bytes()),
    }
    return gs.paper_add_supplementary(**{**fields, **overrides})


def test_a_supplementary_paper_records_who_accepted_it_late_and_why(world, g):
    paper = supplementary(world, g)
    assert paper.supplementary and paper.late_accepted_by == world.chair
    assert paper.late_reason == "The contractor's prices came in yesterday"
    assert paper.circulated_at is None  # it goes out with the next circulation
    assert OutboxJob.objects.filter(
        task="governance.tasks.extract_paper_text", args=[paper.pk, 1]
    ).exists()


def test_a_supplementary_paper_needs_a_reason_the_chair_and_a_file(world, g):
    with pytest.raises(ValidationError) as caught:
        supplementary(world, g, late_reason=" ", accepted_by=world.member, upload=None)
    assert set(caught.value.message_dict) == {"late_reason", "accepted_by", "upload"}
    assert "chair or deputy chair" in caught.value.message_dict["accepted_by"][0]


def test_a_supplementary_paper_comes_only_after_the_papers_went_out(world):
    meeting = schedule(world, days=10)
    item = gs.item_add(actor=world.coordinator, meeting=meeting, title="Plan")
    gs.meeting_publish(actor=world.coordinator, meeting=meeting)
    with pytest.raises(ValidationError) as caught:
        gs.paper_add_supplementary(
            actor=world.coordinator,
            item=item,
            title="Late",
            owner=world.member,
            late_reason="Because",
            accepted_by=world.chair,
            upload=("a.pdf", pdf_bytes()),
        )
    assert "not been circulated" in caught.value.messages[0]


def test_a_supplementary_paper_cannot_be_added_to_a_meeting_already_held(world, g, monkeypatch):
    later = timezone.localdate() + timedelta(days=30)
    monkeypatch.setattr(timezone, "localdate", lambda *args: later)
    with pytest.raises(ValidationError) as caught:
        supplementary(world, g)
    assert "has been held" in caught.value.messages[0]


def test_a_body_without_a_chair_or_deputy_cannot_accept_a_late_paper(world, g):
    from membership import services as ms

    ms.membership_end(
        actor=world.coordinator,
        membership=world.chair_membership,
        ends_on=timezone.localdate(),
        reason="Stood down",
    )
    with pytest.raises(ValidationError) as caught:
        supplementary(world, g)
    assert "has no chair or deputy chair" in caught.value.messages[0]


def test_a_supplementary_paper_is_flagged_late_not_chased_as_late(world, g):
    paper = supplementary(world, g)
    meeting = g.upcoming
    after_deadline = timezone.now() + timedelta(days=10)  # within the week before
    assert paper not in selectors.papers_late(meeting=meeting, now=after_deadline)
    gs.papers_chase_late(now=after_deadline)
    assert not Notice.objects.filter(key=f"paper-late:{paper.pk}").exists()
    gs.papers_circulate(actor=world.coordinator, meeting=meeting)
    facts = _agenda_facts(meeting, "members")
    (cover,) = [p for p in facts["papers"] if p["id"] == paper.pk]
    assert cover["late_reason"] == "The contractor's prices came in yesterday"
    assert any("Revised costs (late paper)" in i["papers"] for i in facts["items"])


def test_the_agenda_and_the_paper_page_say_late_paper_with_the_reason(client, world, g):
    paper = supplementary(world, g)
    gs.papers_circulate(actor=world.coordinator, meeting=g.upcoming)
    args = {"partnership": world.partnership.slug, "pk": g.upcoming.pk}
    for url in (
        reverse("governance:meeting", kwargs=args),
        reverse("governance:paper", kwargs={**args, "paper": paper.pk}),
    ):
        body = client.get(url).content.decode()
        assert "Late paper</strong> The contractor" in body, url
    assert selectors.paper_visible(paper, selectors.body_access(AnonymousUser(), world.board))


def test_papers_that_went_out_before_being_replaced_still_count_as_circulated(world):
    meeting = schedule(world, days=10)
    item = gs.item_add(actor=world.coordinator, meeting=meeting, title="Plan")
    paper = gs.paper_add(
        actor=world.coordinator,
        item=item,
        title="Plan",
        owner=world.member,
        upload=("a.pdf", pdf_bytes()),
    )
    gs.meeting_publish(actor=world.coordinator, meeting=meeting)
    gs.papers_circulate(actor=world.coordinator, meeting=meeting)
    replace(world, paper)  # out no longer: it waits to be circulated again
    late = gs.paper_add_supplementary(
        actor=world.coordinator,
        item=item,
        title="Late",
        owner=world.member,
        late_reason="Because",
        accepted_by=world.chair,
        upload=("b.pdf", pdf_bytes()),
    )
    assert late.supplementary


def test_the_agenda_pack_flags_the_late_paper_and_says_what_changed(world, g):
    from governance import documents
    from tests.governance.test_documents import text_of

    replace(world, g.public_paper, note="Figures corrected")
    supplementary(world, g)
    gs.papers_circulate(actor=world.coordinator, meeting=g.upcoming)
    text = text_of(documents.render_agenda_pack(meeting=g.upcoming, audience="public"))
    assert "Paper: Revised costs (late paper)" in text
    assert "Late paper: The contractor's prices came in yesterday" in text
    assert "Version 2: Figures corrected" in text


# --- the review's fixes -------------------------------------------------------------------------


def test_a_version_replaced_while_confidential_stays_confidential_once_the_paper_is_public(
    client, world, g
):
    """A confidential paper replaced by a redacted file and made public: the public read the
    redacted file, never the earlier, confidential one (nor see it listed)."""
    gs.paper_update(
        actor=world.coordinator,
        paper=g.public_paper,
        confidential=True,
        confidential_reason="Names the tenderers",
    )
    paper = gs.paper_update(
        actor=world.coordinator,
        paper=g.public_paper,
        upload=("plan-redacted.pdf", pdf_bytes("Redacted")),
        change_note="Redacted SECRETREDACTED",
        confidential=False,
    )
    (old,) = paper.versions.all()
    assert old.was_confidential and not paper.is_confidential
    gs.papers_circulate(actor=world.coordinator, meeting=g.upcoming)
    public, board = selectors.PUBLIC, selectors.body_access(world.member, world.board)
    assert selectors.paper_visible(paper, public)
    assert paper_versions_visible(paper, public) == []
    assert [v.number for v in paper_versions_visible(paper, board)] == [1]
    args = {"partnership": world.partnership.slug, "pk": g.upcoming.pk, "paper": paper.pk}
    url = reverse("governance:paper_version_file", kwargs={**args, "number": 1})
    assert client.get(url).status_code == 404
    assert url.encode() not in client.get(reverse("governance:paper", kwargs=args)).content
    client.force_login(world.member)
    response = client.get(url)
    assert drain(response).startswith(b"%PDF")
    # The paper is public now; its earlier file was not, and is kept out of shared caches.
    assert response["Cache-Control"] == "private, no-store"


def test_an_earlier_version_of_a_confidential_items_paper_is_confidential(world, g):
    paper = replace(world, g.secret_paper)
    (old,) = paper.versions.all()
    assert old.was_confidential
    (public_old,) = replace(world, g.public_paper).versions.all()
    assert not public_old.was_confidential


def test_a_cover_sheet_change_keeps_the_words_the_job_just_read(world, g, monkeypatch):
    """The background job saves the words while a co-ordinator's change is in flight: the
    change saves its own fields, not the words it never read."""
    from governance.services import papers

    check = papers._check_paper

    def job_runs_meanwhile(paper):
        Paper.objects.filter(pk=paper.pk).update(text="Burglary fell by a tenth")
        check(paper)

    monkeypatch.setattr(papers, "_check_paper", job_runs_meanwhile)
    gs.paper_update(actor=world.coordinator, paper=g.public_paper, title="Renamed")
    paper = Paper.objects.get(pk=g.public_paper.pk)
    assert (paper.title, paper.text) == ("Renamed", "Burglary fell by a tenth")


def test_what_changed_without_a_new_file_asks_for_the_file(world, g):
    with pytest.raises(ValidationError) as caught:
        gs.paper_update(actor=world.coordinator, paper=g.public_paper, change_note="New figures")
    assert "Select the new file" in caught.value.message_dict["upload"][0]
    assert Paper.objects.get(pk=g.public_paper.pk).version == 1


def test_once_the_papers_are_out_a_paper_with_a_file_is_a_supplementary_one(world, g):
    with pytest.raises(ValidationError) as caught:
        gs.paper_add(
            actor=world.coordinator,
            item=g.public_item,
            title="Extra",
            owner=world.member,
            upload=("extra.pdf", pdf_bytes()),
        )
    assert "supplementary paper" in caught.value.message_dict["upload"][0]
    # A cover sheet whose file follows later is still a paper like any other.
    assert gs.paper_add(
        actor=world.coordinator, item=g.public_item, title="Extra", owner=world.member
    )


def test_a_paper_corrected_after_going_out_on_time_is_not_late(world, g):
    replace(world, g.public_paper)  # version 1 went out a fortnight before the meeting
    paper = Paper.objects.get(pk=g.public_paper.pk)
    meeting = g.upcoming
    after_deadline = timezone.now() + timedelta(days=10)
    assert paper not in selectors.papers_late(meeting=meeting, now=after_deadline)
    gs.papers_chase_late(now=after_deadline)
    assert not Notice.objects.filter(key=f"paper-late:{paper.pk}").exists()
    # The meeting page's list (the agenda's own papers) says the same.
    access = selectors.body_access(world.coordinator, world.board)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(timezone, "now", lambda: after_deadline)
        assert paper not in selectors.agenda(meeting=meeting, access=access).late_papers
    # A paper never out in time is late, as before.
    late = gs.paper_add(
        actor=world.coordinator, item=g.public_item, title="Never out", owner=world.member
    )
    assert late in selectors.papers_late(meeting=meeting, now=after_deadline)


def _tasks(user, now, monkeypatch):
    from django.test import RequestFactory

    from governance.tasklist import governance_tasks

    request = RequestFactory().get("/")
    request.user = user
    monkeypatch.setattr(timezone, "now", lambda: now)
    return [(t.group, t.title, t.status) for t in governance_tasks(request)]


def test_the_task_list_shows_neither_a_supplementary_nor_a_corrected_paper_as_late(
    world, g, monkeypatch
):
    supplementary(world, g)
    replace(world, g.public_paper)
    after_deadline = timezone.now() + timedelta(days=10)
    owner = _tasks(fresh(world.member), after_deadline, monkeypatch)
    papers = [t for t in owner if t[0] == "Papers to write"]
    assert {t[1] for t in papers} >= {"Revised costs", "Draft community safety plan"}
    assert {t[2] for t in papers} == {"To do"}
    coordinator = _tasks(fresh(world.coordinator), after_deadline, monkeypatch)
    assert [t for t in coordinator if t[0] == "Late papers for your meetings"] == []


def test_the_circulation_email_says_what_changed_and_which_paper_is_late(world, g, mailoutbox):
    replace(world, g.public_paper, note="Figures corrected")
    supplementary(world, g)
    mailoutbox.clear()
    gs.papers_circulate(actor=world.coordinator, meeting=g.upcoming)
    message = mailoutbox[0]
    assert "Version 2: Figures corrected" in message.body
    assert "Late paper: The contractor's prices came in yesterday" in message.body
    html = message.alternatives[0][0]
    assert "Version 2: Figures corrected" in html and "Late paper: The contractor" in html


def test_words_still_missing_an_hour_on_are_queued_again(world, g):
    from governance.tasks import extract_missing_text

    now = timezone.now()
    Paper.objects.filter(pk=g.public_paper.pk).update(text="", uploaded_at=now - timedelta(hours=2))
    Paper.objects.filter(pk=g.secret_paper.pk).update(text="", uploaded_at=now)  # its job runs
    old = Paper.objects.exclude(pk__in=[g.public_paper.pk, g.secret_paper.pk]).exclude(file="")
    old.update(text="", uploaded_at=now - timedelta(days=30))  # given up on
    OutboxJob.objects.all().delete()
    assert extract_missing_text() == 1
    (job,) = OutboxJob.objects.all()
    assert (job.task, job.args) == ("governance.tasks.extract_paper_text", [g.public_paper.pk, 1])
    tasks = {entry["task"] for entry in celery_app.conf.beat_schedule.values()}
    assert "governance.tasks.extract_missing_text" in tasks
