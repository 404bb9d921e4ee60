"""The agenda pack and minutes PDFs: tagged, complete for members, nothing confidential for
the public, rendered once per change, and never served stale."""

from __future__ import annotations

import io
import re
from datetime import date, time, timedelta
from types import SimpleNamespace

import pytest
from django.conf import settings
from pypdf import PdfReader, PdfWriter
from weasyprint import HTML

from governance import documents
from governance import services as gs
from governance.documents import documents_render, fingerprint, rendition_current
from governance.models import Rendition
from membership import services as ms
from partnership import pdf as pdf_module
from partnership.pdf import (
    RefusedURL,
    StaticFilesFetcher,
    UnreadablePDF,
    append_pdfs,
    pdf_open,
    render_pdf,
)
from partnership.storage import private_storage
from tests.factories import UserFactory

AGENDA, MINUTES = "agenda_pack", "minutes"
PUBLIC, MEMBERS = "public", "members"


def text_of(pdf: bytes) -> str:
    pages = PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join((page.extract_text() or "") for page in pages).split())


def catalogue(pdf: bytes):
    return PdfReader(io.BytesIO(pdf)).trailer["/Root"]


def stored(meeting, kind: str, audience: str) -> bytes:
    rendition = Rendition.objects.get(meeting=meeting, kind=kind, audience=audience)
    with rendition.file.open("rb") as handle:
        return handle.read()


@pytest.fixture
def meeting(world, today, make_pdf, docx):
    """A Board meeting today, published, with a public item and a confidential one, and
    circulated papers: a public PDF, a confidential PDF on the public item, a PDF on the
    confidential item and a Word document."""
    actor = world.coordinator
    m = gs.meeting_create(
        actor=actor,
        body=world.board,
        held_on=today,
        start_time=time(10, 0),
        end_time=time(12, 30),
        venue="Council House, Committee Room 1",
    )
    budget = gs.item_add(
        actor=actor,
        meeting=m,
        title="Budget for next year",
        presenter="Finance lead",
        purpose="decision",
        decision_required="To approve the budget",
    )
    secret = gs.item_add(
        actor=actor,
        meeting=m,
        title="Staff restructure SECRETITEM",
        confidential=True,
        confidential_reason="Staffing matter",
    )
    public_paper = gs.paper_add(
        actor=actor,
        item=budget,
        title="Budget report",
        owner=world.member,
        main_issues="Spending is within the limit",
        decision_required="Approve the budget",
        upload=("budget.pdf", make_pdf("Budget narrative PUBLICPAPERTEXT")),
    )
    annex = gs.paper_add(
        actor=actor,
        item=budget,
        title="Budget annex SECRETANNEX",
        owner=world.member,
        confidential=True,
        confidential_reason="Commercially sensitive",
        upload=("annex.pdf", make_pdf("Supplier prices SECRETPAPERTEXT")),
    )
    secret_paper = gs.paper_add(
        actor=actor,
        item=secret,
        title="Restructure proposal",
        owner=world.member,
        upload=("restructure.pdf", make_pdf("Posts at risk SECRETITEMPAPERTEXT")),
    )
    word = gs.paper_add(
        actor=actor,
        item=budget,
        title="Budget spreadsheet notes",
        owner=world.member,
        upload=("notes.docx", docx),
    )
    gs.meeting_publish(actor=actor, meeting=m)
    gs.papers_circulate(actor=actor, meeting=m)
    # The services save the instance they are given: give them what the database now holds.
    for thing in (m, budget, secret, public_paper, annex, secret_paper, word):
        thing.refresh_from_db()
    return SimpleNamespace(
        meeting=m,
        budget=budget,
        secret=secret,
        public_paper=public_paper,
        annex=annex,
        secret_paper=secret_paper,
        word=word,
    )


@pytest.fixture
def minuted(world, meeting):
    """The meeting, held, with attendance, a declared interest and approved minutes."""
    actor, m = world.coordinator, meeting.meeting
    stand_in = UserFactory(email="stand.in@example.org", full_name="Stan Dinh")
    # A place in the partnership through the same organisation as the member: a substitute
    # must come from there.
    ms.membership_create(
        actor=None,
        body=world.group,
        seat=world.group_seat,
        person=stand_in,
        organisation=world.council,
        starts_on=world.start,
    )
    gs.attendance_record(
        actor=actor,
        meeting=m,
        records={
            world.chair.pk: ("present", None),
            world.member.pk: ("apologies", stand_in),
        },
    )
    gs.interest_declare(
        actor=actor, item=meeting.budget, person=world.chair, nature="Trustee of a supplier"
    )
    minutes = gs.minutes_start(actor=actor, meeting=m)
    gs.minutes_save(
        actor=actor,
        minutes=minutes,
        entries={
            meeting.budget.pk: ("The board discussed the budget MINUTETEXT.", "Budget approved"),
            meeting.secret.pk: ("Restructure discussed SECRETMINUTE.", "SECRETDECISION"),
        },
    )
    gs.minutes_submit(actor=actor, minutes=minutes)
    gs.minutes_approve(actor=world.chair, minutes=minutes)
    meeting.minutes = minutes
    meeting.stand_in = stand_in
    return meeting


# --- the agenda pack -------------------------------------------------------------------------


def test_agenda_pack_is_a_tagged_pdf_in_british_english(meeting):
    documents_render(meeting_id=meeting.meeting.pk)
    root = catalogue(stored(meeting.meeting, AGENDA, PUBLIC))

    assert root["/MarkInfo"]["/Marked"].value is True
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en-GB"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"].value is True


def test_agenda_pack_keeps_its_tags_and_title_after_papers_are_appended(meeting):
    pdf = documents.render_agenda_pack(meeting=meeting.meeting, audience=MEMBERS)
    reader = PdfReader(io.BytesIO(pdf))

    assert "/StructTreeRoot" in reader.trailer["/Root"]
    assert reader.metadata.title.startswith("Agenda pack: Meeting of the Board")
    # Cover, agenda, four cover sheets and three appended one-page papers at least.
    assert len(reader.pages) >= 8


def test_agenda_pack_has_the_cover_the_agenda_and_the_cover_sheets(meeting, today):
    text = text_of(documents.render_agenda_pack(meeting=meeting.meeting, audience=PUBLIC))

    assert "Testshire Partnership" in text
    assert "Meeting of the Board" in text
    assert documents.long_date(today) in text
    assert "10am to 12:30pm" in text
    assert "Council House, Committee Room 1" in text
    assert "Budget for next year" in text
    assert "Presented by Finance lead" in text
    assert "Decision required: To approve the budget" in text
    assert "Standing item: to agree the minutes of the last meeting" in text
    assert "Spending is within the limit" in text
    assert "Paper owner Member" in text
    assert "Page 1 of" in text


def test_agenda_pack_footer_counts_the_appended_papers_pages(meeting):
    pdf = documents.render_agenda_pack(meeting=meeting.meeting, audience=MEMBERS)
    pages = PdfReader(io.BytesIO(pdf)).pages
    footers = [re.search(r"Page (\d+) of (\d+)", page.extract_text() or "") for page in pages]
    numbered = [(int(f[1]), int(f[2])) for f in footers if f]
    # The pack's own pages are numbered 1, 2, ... and each says how long the whole file is,
    # the three appended one-page papers included (they keep their own look, unnumbered).
    assert len(numbered) == len(pages) - 3
    assert numbered == [(n, len(pages)) for n in range(1, len(numbered) + 1)]
    assert "appendix 1 of this pack (1 page)" in text_of(pdf)


def test_standing_items_say_what_they_are_for_never_for_information(world, today):
    m = gs.meeting_create(
        actor=world.coordinator,
        body=world.board,
        held_on=today,
        start_time=time(10, 0),
        venue="Council House",
    )
    gs.item_add(
        actor=world.coordinator,
        meeting=m,
        title="Budget",
        purpose="decision",
        decision_required="To approve it",
    )
    text = text_of(documents.render_agenda_pack(meeting=m, audience=MEMBERS))

    assert "Standing item: apologies and substitutes are noted" in text
    assert "Standing item: members declare any interest in the business" in text
    assert "For information" not in text


def test_pdf_papers_are_appended_and_word_papers_are_read_online(meeting):
    text = text_of(documents.render_agenda_pack(meeting=meeting.meeting, audience=PUBLIC))

    assert "PUBLICPAPERTEXT" in text
    assert "appendix 1 of this pack" in text
    assert "Word document, read it online" in text


def test_public_pack_leaves_out_confidential_items_and_papers(meeting):
    text = text_of(documents.render_agenda_pack(meeting=meeting.meeting, audience=PUBLIC))

    assert "SECRETITEM" not in text
    assert "Restructure proposal" not in text
    assert "SECRETANNEX" not in text
    assert "SECRETPAPERTEXT" not in text
    assert "SECRETITEMPAPERTEXT" not in text
    assert "1 confidential item is not included" in text


def test_members_pack_includes_confidential_items_and_papers_marked(meeting):
    text = text_of(documents.render_agenda_pack(meeting=meeting.meeting, audience=MEMBERS))

    assert "Staff restructure SECRETITEM" in text
    assert "Confidential Staffing matter" in text
    assert "SECRETANNEX" in text
    assert "SECRETPAPERTEXT" in text
    assert "SECRETITEMPAPERTEXT" in text
    assert "Members’ pack" in text


def test_items_keep_their_numbers_in_the_public_pack(meeting):
    members = text_of(documents.render_agenda_pack(meeting=meeting.meeting, audience=MEMBERS))
    public = text_of(documents.render_agenda_pack(meeting=meeting.meeting, audience=PUBLIC))

    assert "6. Staff restructure" in members
    assert "7. Partner matters" in members
    assert "7. Partner matters" in public


def test_unreadable_pdf_paper_is_left_out_and_its_cover_sheet_says_so(world, meeting):
    gs.paper_update(
        actor=world.coordinator,
        paper=meeting.public_paper,
        upload=("budget.pdf", b"%PDF-1.4 not really a PDF"),
        change_note="A new file",
    )
    gs.papers_circulate(actor=world.coordinator, meeting=meeting.meeting)

    text = text_of(documents.render_agenda_pack(meeting=meeting.meeting, audience=PUBLIC))

    assert "The PDF could not be added to this pack" in text
    assert "PUBLICPAPERTEXT" not in text


def paper_of_pages(name: str, pages: int) -> bytes:
    """A PDF paper of ``pages`` pages, each saying which paper and page it is."""
    sections = "".join(
        f'<p style="break-after: page">{name}PAGE{n}</p>' for n in range(1, pages + 1)
    )
    return HTML(string=f'<html lang="en-GB"><body>{sections}</body></html>').write_pdf()


@pytest.fixture
def long_papers(world, meeting):
    """Three more PDF papers on the public item, of 2, 3 and 4 pages, circulated."""
    titles = {"ALPHA": 2, "BRAVO": 3, "CHARLIE": 4}
    for name, pages in titles.items():
        # The meeting's papers are out: one more is a supplementary paper.
        gs.paper_add_supplementary(
            actor=world.coordinator,
            item=meeting.budget,
            title=f"Paper {name}",
            owner=world.member,
            late_reason="Ready late",
            accepted_by=world.chair,
            upload=(f"{name.lower()}.pdf", paper_of_pages(name, pages)),
        )
    gs.papers_circulate(actor=world.coordinator, meeting=meeting.meeting)
    return titles


def test_agenda_pack_has_every_papers_pages_once_in_order_with_a_bookmark_each(
    meeting, long_papers
):
    pdf = documents.render_agenda_pack(meeting=meeting.meeting, audience=MEMBERS)
    reader = PdfReader(io.BytesIO(pdf))
    texts = [page.extract_text() or "" for page in reader.pages]
    # The members' pack appends the budget paper, its annex, the three long papers and the
    # restructure proposal, in agenda order: 1 + 1 + 2 + 3 + 4 + 1 pages at the end.
    appended = texts[-12:]
    long_pages = [
        f"{name}PAGE{n}" for name, count in long_papers.items() for n in range(1, count + 1)
    ]
    assert [page.strip() for page in appended[2:11]] == long_pages
    for marker in ["PUBLICPAPERTEXT", "SECRETPAPERTEXT", "SECRETITEMPAPERTEXT", *long_pages]:
        assert sum(marker in text for text in texts) == 1, marker
    assert not any(re.search(r"Page \d+ of", text) for text in appended)

    def flat(outline):
        for item in outline:
            yield from flat(item) if isinstance(item, list) else [item]

    bookmarks = {
        item.title: reader.get_destination_page_number(item) for item in flat(reader.outline)
    }
    appendices = [title for title in bookmarks if title.startswith("Appendix")]
    assert appendices == [
        "Appendix 1: Budget report",
        "Appendix 2: Budget annex SECRETANNEX",
        "Appendix 3: Paper ALPHA",
        "Appendix 4: Paper BRAVO",
        "Appendix 5: Paper CHARLIE",
        "Appendix 6: Restructure proposal",
    ]
    starts = [len(texts) - 12 + offset for offset in (0, 1, 2, 4, 7, 11)]
    assert [bookmarks[title] for title in appendices] == starts
    # The pack's own headings keep their bookmarks, before the appendices.
    assert bookmarks["Agenda"] < starts[0]

    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"].value is True
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en-GB"
    assert reader.metadata.title.startswith("Agenda pack: Meeting of the Board")
    assert f"Page 1 of {len(texts)}" in texts[0]


def test_footer_counts_the_appended_pages_however_long_the_pack(meeting, long_papers, monkeypatch):
    # A pack longer than the counter style spells out is laid out again to count right.
    monkeypatch.setattr(pdf_module, "OWN_PAGES_GUESS", 1)
    pdf = documents.render_agenda_pack(meeting=meeting.meeting, audience=MEMBERS)
    pages = PdfReader(io.BytesIO(pdf)).pages
    footers = [re.search(r"Page (\d+) of (\d+)", page.extract_text() or "") for page in pages]
    numbered = [(int(f[1]), int(f[2])) for f in footers if f]

    assert numbered == [(n, len(pages)) for n in range(1, len(pages) - 12 + 1)]


def test_a_paper_that_breaks_while_appended_is_left_out_and_its_cover_sheet_says_so(
    meeting, monkeypatch
):
    real_pack = documents.pdf_pack
    calls = []

    def first_paper_breaks(*, first, others):
        calls.append(len(others))
        if len(calls) == 1:
            raise UnreadablePDF(0)
        return real_pack(first=first, others=others)

    monkeypatch.setattr(documents, "pdf_pack", first_paper_breaks)
    pdf = documents.render_agenda_pack(meeting=meeting.meeting, audience=PUBLIC)
    text = text_of(pdf)

    assert calls == [1, 0]
    assert "The PDF could not be added to this pack" in text
    assert "PUBLICPAPERTEXT" not in text
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert f"Page 1 of {len(pages)}" in text


def test_a_paper_locked_only_against_editing_is_appended(make_pdf):
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf("Locked LOCKEDTEXT"))))
    writer.encrypt(user_password="", owner_password="owner secret")
    out = io.BytesIO()
    writer.write(out)

    merged = append_pdfs(first=make_pdf("First document"), others=[out.getvalue()])

    assert "LOCKEDTEXT" in text_of(merged)
    assert pdf_open(b"%PDF-1.4 rubbish") is None


# --- the minutes -----------------------------------------------------------------------------


def test_minutes_are_a_tagged_pdf_with_the_approved_record(minuted, today):
    pdf = documents.render_minutes(meeting=minuted.meeting, audience=MEMBERS)
    root = catalogue(pdf)
    text = text_of(pdf)

    assert root["/MarkInfo"]["/Marked"].value is True
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en-GB"
    assert "MINUTETEXT" in text
    assert "Decision: Budget approved" in text
    assert "Chair declared an interest: Trustee of a supplier. They took no part" in text
    assert "Stan Dinh (substitute for Member)" in text
    assert f"Version 1. Approved by Chair (Chair) on {documents.long_date(today)}" in text


def test_attendance_lists_who_was_present_and_who_sent_apologies(minuted):
    text = text_of(documents.render_minutes(meeting=minuted.meeting, audience=PUBLIC))

    present = text.split("Present", 1)[1].split("Apologies", 1)[0]
    apologies = text.split("Apologies", 1)[1].split("Absent", 1)[0]
    assert "Chair" in present
    assert "Stan Dinh (substitute for Member)" in present
    assert "Member" in apologies


def test_public_minutes_leave_out_confidential_items(minuted):
    public = text_of(documents.render_minutes(meeting=minuted.meeting, audience=PUBLIC))
    members = text_of(documents.render_minutes(meeting=minuted.meeting, audience=MEMBERS))

    assert "MINUTETEXT" in public
    assert "SECRETMINUTE" not in public
    assert "SECRETDECISION" not in public
    assert "SECRETITEM" not in public
    assert "1 confidential item is not included" in public
    assert "SECRETMINUTE" in members
    assert "SECRETDECISION" in members


def test_minutes_cannot_be_rendered_before_they_are_approved(meeting):
    with pytest.raises(ValueError, match="no approved minutes"):
        documents.render_minutes(meeting=meeting.meeting, audience=PUBLIC)


# --- rendering and storing -------------------------------------------------------------------


def test_documents_render_renders_each_document_once(minuted):
    first = documents_render(meeting_id=minuted.meeting.pk)
    second = documents_render(meeting_id=minuted.meeting.pk)

    assert sorted(first) == [
        "agenda_pack/members",
        "agenda_pack/public",
        "minutes/members",
        "minutes/public",
    ]
    assert second == []
    assert Rendition.objects.filter(meeting=minuted.meeting).count() == 4


def test_stored_file_name_carries_the_fingerprint(meeting):
    documents_render(meeting_id=meeting.meeting.pk)
    rendition = Rendition.objects.get(meeting=meeting.meeting, kind=AGENDA, audience=PUBLIC)

    assert rendition.fingerprint in rendition.file.name
    assert rendition_current(meeting=meeting.meeting, kind=AGENDA, audience=PUBLIC) == rendition


def test_a_draft_meeting_has_no_documents(world, today):
    draft = gs.meeting_create(
        actor=world.coordinator,
        body=world.board,
        held_on=today + timedelta(days=10),
        start_time=time(14, 0),
        venue="Town Hall",
    )

    assert documents_render(meeting_id=draft.pk) == []


def test_documents_render_of_a_missing_meeting_renders_nothing(db):
    assert documents_render(meeting_id=987654) == []


def test_changing_a_paper_makes_the_rendition_stale_until_rendered_again(world, meeting):
    m = meeting.meeting
    documents_render(meeting_id=m.pk)
    assert rendition_current(meeting=m, kind=AGENDA, audience=PUBLIC) is not None

    gs.paper_update(actor=world.coordinator, paper=meeting.public_paper, title="Budget report v2")

    assert rendition_current(meeting=m, kind=AGENDA, audience=PUBLIC) is None
    assert rendition_current(meeting=m, kind=AGENDA, audience=MEMBERS) is None
    assert sorted(documents_render(meeting_id=m.pk)) == [
        "agenda_pack/members",
        "agenda_pack/public",
    ]
    assert rendition_current(meeting=m, kind=AGENDA, audience=PUBLIC) is not None
    assert "Budget report v2" in text_of(stored(m, AGENDA, PUBLIC))


def test_a_paper_made_confidential_is_never_served_in_an_old_public_pack(world, meeting):
    m = meeting.meeting
    documents_render(meeting_id=m.pk)
    before = fingerprint(meeting=m, kind=AGENDA, audience=PUBLIC)

    gs.paper_update(
        actor=world.coordinator,
        paper=meeting.public_paper,
        confidential=True,
        confidential_reason="Now sensitive",
    )

    assert fingerprint(meeting=m, kind=AGENDA, audience=PUBLIC) != before
    assert rendition_current(meeting=m, kind=AGENDA, audience=PUBLIC) is None
    documents_render(meeting_id=m.pk)
    assert "PUBLICPAPERTEXT" not in text_of(stored(m, AGENDA, PUBLIC))


def test_a_replaced_paper_file_changes_the_fingerprint(world, meeting, make_pdf):
    m = meeting.meeting
    before = fingerprint(meeting=m, kind=AGENDA, audience=MEMBERS)

    gs.paper_update(
        actor=world.coordinator,
        paper=meeting.public_paper,
        upload=("budget.pdf", make_pdf("Budget narrative REPLACED")),
        change_note="A new narrative",
    )
    gs.papers_circulate(actor=world.coordinator, meeting=m)

    assert fingerprint(meeting=m, kind=AGENDA, audience=MEMBERS) != before


def test_re_rendering_deletes_the_old_file_once_committed(
    world, meeting, django_capture_on_commit_callbacks
):
    m = meeting.meeting
    documents_render(meeting_id=m.pk)
    old = Rendition.objects.get(meeting=m, kind=AGENDA, audience=PUBLIC).file.name
    gs.item_update(actor=world.coordinator, item=meeting.budget, presenter="Deputy lead")

    with django_capture_on_commit_callbacks(execute=True):
        documents_render(meeting_id=m.pk)

    new = Rendition.objects.get(meeting=m, kind=AGENDA, audience=PUBLIC).file.name
    assert new != old
    assert private_storage.exists(new)
    assert not private_storage.exists(old)


def test_documents_render_stale_renders_recent_meetings_once(minuted):
    assert documents.documents_render_stale() == 4
    assert documents.documents_render_stale() == 0


def test_documents_render_stale_renders_missing_minutes_of_old_meetings(minuted):
    m = minuted.meeting
    type(m).objects.filter(pk=m.pk).update(held_on=m.held_on - timedelta(days=400))
    documents_render(meeting_id=m.pk)
    Rendition.objects.filter(meeting=m, kind=MINUTES).delete()

    assert documents.documents_render_stale() == 2
    assert Rendition.objects.filter(meeting=m, kind=MINUTES).count() == 2


def test_documents_render_stale_leaves_old_meetings_alone(world, minuted):
    m = minuted.meeting
    documents_render(meeting_id=m.pk)
    type(m).objects.filter(pk=m.pk).update(held_on=m.held_on - timedelta(days=61))
    gs.item_update(actor=world.coordinator, item=minuted.budget, presenter="Someone else")

    assert documents.documents_render_stale() == 0


def test_rendition_current_refuses_an_unknown_audience(meeting):
    with pytest.raises(ValueError):
        rendition_current(meeting=meeting.meeting, kind=AGENDA, audience="everyone")


# --- the PDF kernel --------------------------------------------------------------------------


def test_url_fetcher_serves_our_static_files():
    response = StaticFilesFetcher().fetch(f"{settings.SITE_URL}/static/partnership.css")

    assert response.content_type == "text/css"
    assert response.read()


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/logo.png",
        "https://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
        f"file://{settings.BASE_DIR}/partnership/settings.py",
        f"{settings.SITE_URL}/static/..%2F..%2Fpartnership%2Fsettings.py",
        f"{settings.SITE_URL}/media/anything.pdf",
        "data:text/plain,hello",
    ],
)
def test_url_fetcher_refuses_anything_but_our_static_files(url):
    with pytest.raises(RefusedURL):
        StaticFilesFetcher().fetch(url)


def test_a_refused_image_does_not_stop_the_document(tmp_path, settings):
    template = tmp_path / "refused.html"
    template.write_text(
        '<html lang="en-GB"><title>T</title><h1>Still here</h1>'
        '<img src="http://example.org/x.png" alt="Remote"></html>'
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]

    assert "Still here" in text_of(render_pdf(template="refused.html", context={}))


def test_append_pdfs_skips_a_pdf_it_cannot_read(make_pdf):
    first = make_pdf("First document")
    merged = append_pdfs(first=first, others=[b"%PDF-1.4 rubbish", make_pdf("Second document")])

    assert len(PdfReader(io.BytesIO(merged)).pages) == 2
    assert "Second document" in text_of(merged)


def test_dates_and_times_are_written_the_british_way():
    assert documents.long_date(date(2026, 12, 1)) == "Tuesday 1 December 2026"
    assert documents.clock(time(10, 0)) == "10am"
    assert documents.clock(time(14, 30)) == "2:30pm"
    assert documents.clock(time(12, 0)) == "midday"


def test_checking_a_rendition_is_current_takes_a_fixed_number_of_queries(
    world, minuted, make_pdf, django_assert_num_queries
):
    m = type(minuted.meeting).objects.select_related("body__partnership").get(pk=minuted.meeting.pk)
    documents_render(meeting_id=m.pk)
    with django_assert_num_queries(5):
        assert rendition_current(meeting=m, kind=AGENDA, audience=MEMBERS)
    with django_assert_num_queries(9):
        assert rendition_current(meeting=m, kind=MINUTES, audience=PUBLIC)

    for n in range(3):
        # The meeting's papers are out: one more is a supplementary paper.
        gs.paper_add_supplementary(
            actor=world.coordinator,
            item=minuted.budget,
            title=f"Extra paper {n}",
            owner=world.member,
            late_reason="Ready late",
            accepted_by=world.chair,
            upload=(f"extra{n}.pdf", make_pdf(f"Extra {n}")),
        )
    gs.papers_circulate(actor=world.coordinator, meeting=m)

    with django_assert_num_queries(5):
        assert rendition_current(meeting=m, kind=AGENDA, audience=MEMBERS) is None
