"""The document library's pages, and the pages of papers' versions and supplementary papers:
who reaches each (every role), the sweep of a members-only document's marker over every page,
the forms at work (errors by their field, nothing typed lost), and the list's query counts at
two sizes."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from governance import services as gs
from governance.models import LibraryDocument, Paper
from governance.services import library as services
from tests.governance.helpers import build_meetings, pdf_bytes
from tests.governance.test_library import MARKER, add_document, build_library
from tests.test_url_access import ROLES, _check, _client_for, drain, urls

LIBRARY_URLS = {
    "governance:library",
    "governance:library_create",
    "governance:body_library",
    "governance:body_library_create",
    "governance:library_document",
    "governance:library_document_edit",
    "governance:library_document_withdraw",
    "governance:library_version_create",
    "governance:library_version_file",
    "governance:paper_version_file",
    "governance:paper_supplementary_create",
}

PUBLIC = dict.fromkeys(ROLES, 200)
REFUSED = {**dict.fromkeys(ROLES, 403), "anonymous": "login"}
COORDINATOR = {**REFUSED, "coordinator": 200}
GROUP_COORDINATORS = {**COORDINATOR, "group_coordinator": 200}
# The Board's members-only document: its members and the partnership's co-ordinator.
BOARD_INSIDERS = {**dict.fromkeys(ROLES, 404), "member": 200, "chair": 200, "coordinator": 200}
# A co-ordinator's step on that document: those who cannot see it find nothing (but the
# public are sent to sign in first); its members may see it but not keep it.
BOARD_PRIVATE_STEP = {**BOARD_INSIDERS, "anonymous": "login", "member": 403, "chair": 403}
# The partnership's members-only document: anyone with a right in the partnership.
PARTNERSHIP_INSIDERS = {**dict.fromkeys(ROLES, 200), "anonymous": 404, "outsider": 404}
GROUP_PRIVATE_STEP = {
    **dict.fromkeys(ROLES, 404),
    "anonymous": "login",
    "group_coordinator": 200,
    "coordinator": 200,
}
WITHDRAWN = {**dict.fromkeys(ROLES, 404), "coordinator": 200}


def library_urls(w):
    lib = build_library(w)
    g = build_meetings(w)
    gs.paper_update(
        actor=w.coordinator,
        paper=g.public_paper,
        upload=("plan-v2.pdf", pdf_bytes()),
        change_note="Figures corrected",
    )
    gs.paper_update(
        actor=w.coordinator,
        paper=g.secret_paper,
        upload=("tender-v2.pdf", pdf_bytes()),
        change_note="Scores moderated",
    )
    gs.papers_circulate(actor=w.coordinator, meeting=g.upcoming)
    p = w.partnership.slug

    def doc(document):
        return {"partnership": p, "pk": document.pk}

    def file_of(document):
        return {**doc(document), "version": document.versions.get().pk}

    board = {"partnership": p, "body": w.board.slug}
    group = {"partnership": p, "body": w.group.slug}
    meeting = {"partnership": p, "pk": g.upcoming.pk}
    return [
        ("governance:library", {"partnership": p}, PUBLIC),
        ("governance:body_library", board, PUBLIC),
        ("governance:body_library", group, PUBLIC),
        ("governance:library_create", {"partnership": p}, COORDINATOR),
        ("governance:body_library_create", board, COORDINATOR),
        ("governance:body_library_create", group, GROUP_COORDINATORS),
        ("governance:library_document", doc(lib.board_public), PUBLIC),
        ("governance:library_document", doc(lib.board_private), BOARD_INSIDERS),
        ("governance:library_document", doc(lib.briefing), PARTNERSHIP_INSIDERS),
        ("governance:library_document", doc(lib.board_withdrawn), WITHDRAWN),
        (
            "governance:library_document",
            doc(lib.group_private),
            {**dict.fromkeys(ROLES, 404), "group_coordinator": 200, "coordinator": 200},
        ),
        # Only its keepers see the Safer Group's members-only document: to anyone else, their
        # steps on it find nothing.
        ("governance:library_document_edit", doc(lib.group_private), GROUP_PRIVATE_STEP),
        ("governance:library_version_create", doc(lib.group_private), GROUP_PRIVATE_STEP),
        ("governance:library_version_file", file_of(lib.board_public), PUBLIC),
        ("governance:library_version_file", file_of(lib.board_private), BOARD_INSIDERS),
        ("governance:library_version_file", file_of(lib.briefing), PARTNERSHIP_INSIDERS),
        ("governance:library_version_file", file_of(lib.board_withdrawn), WITHDRAWN),
        ("governance:library_document_edit", doc(lib.board_public), COORDINATOR),
        ("governance:library_document_edit", doc(lib.board_private), BOARD_PRIVATE_STEP),
        ("governance:library_document_edit", doc(lib.strategy), COORDINATOR),
        ("governance:library_document_withdraw", doc(lib.board_public), COORDINATOR),
        ("governance:library_document_withdraw", doc(lib.board_private), BOARD_PRIVATE_STEP),
        ("governance:library_version_create", doc(lib.board_public), COORDINATOR),
        ("governance:library_version_create", doc(lib.strategy), COORDINATOR),
        (
            "governance:paper_version_file",
            {**meeting, "paper": g.public_paper.pk, "number": 1},
            PUBLIC,
        ),
        (
            "governance:paper_version_file",
            {**meeting, "paper": g.public_paper.pk, "number": 2},
            dict.fromkeys(ROLES, 404),  # the current file is the paper's own
        ),
        # An earlier file of a confidential item's paper: the Board's members and officers.
        (
            "governance:paper_version_file",
            {**meeting, "paper": g.secret_paper.pk, "number": 1},
            BOARD_INSIDERS,
        ),
        (
            "governance:paper_supplementary_create",
            {**meeting, "item": g.public_item.pk},
            COORDINATOR,
        ),
    ]


def test_every_library_url_is_in_the_matrix(world):
    assert {name for name, _, _ in library_urls(world)} == LIBRARY_URLS


@pytest.mark.parametrize("role", ROLES)
def test_get_every_library_url_as(role, client, world):
    client = _client_for(client, world, role)
    for name, kwargs, expected in library_urls(world):
        url = reverse(name, kwargs=kwargs)
        _check(client.get(url), expected[role], url)


@pytest.mark.parametrize("role", ROLES)
def test_only_the_boards_insiders_ever_see_its_members_only_document(role, client, world):
    """The sweep: the marker in a members-only document's title and summary appears only to
    the Board's members and the partnership's co-ordinator, on the Board's library and the
    document's page; never on the body's page, the structure page, nor anywhere else."""
    lib = build_library(world)
    client = _client_for(client, world, role)
    p = world.partnership.slug
    board = {"partnership": p, "body": world.board.slug}
    pages = [
        *[(n, k) for n, k, _ in urls(world)],
        ("governance:library", {"partnership": p}),
        ("governance:library", {"partnership": p}),
        ("governance:body_library", board),
        ("governance:body_library", {"partnership": p, "body": world.group.slug}),
        *[
            ("governance:library_document", {"partnership": p, "pk": d.pk})
            for d in vars(lib).values()
        ],
    ]
    seen = []
    for name, kwargs in pages:
        response = client.get(reverse(name, kwargs=kwargs))
        body = drain(response)
        if response.status_code == 200 and MARKER.encode() in body:
            seen.append(name)
    insiders = role in ("member", "chair", "coordinator")
    assert seen == (["governance:body_library", "governance:library_document"] if insiders else [])


def test_the_body_and_structure_pages_link_to_the_libraries(client, world):
    p = world.partnership.slug
    body_page = client.get(world.board.get_absolute_url()).content.decode()
    assert reverse("governance:body_library", kwargs={"partnership": p, "body": "board"}) in (
        body_page
    )
    structure = client.get(reverse("membership:structure", kwargs={"partnership": p}))
    assert reverse("governance:library", kwargs={"partnership": p}) in structure.content.decode()


def test_another_partnerships_address_finds_no_document(client, world):
    from tests.factories import PartnershipFactory

    document = add_document(world, body=world.board)
    PartnershipFactory(name="Elsewhere", slug="elsewhere")
    url = reverse("governance:library_document", kwargs={"partnership": "elsewhere", "pk": 1})
    assert client.get(url.replace("/1/", f"/{document.pk}/")).status_code == 404


# --- the pages at work ---------------------------------------------------------------------------


def board_library(w, name="body_library"):
    return reverse(
        f"governance:{name}", kwargs={"partnership": w.partnership.slug, "body": w.board.slug}
    )


def test_the_list_shows_the_current_version_and_date_and_filters_by_type(client, world):
    lib = build_library(world)
    services.document_version_add(
        actor=world.coordinator,
        document=lib.board_public,
        version="2.0",
        issued_on=date(2026, 4, 1),
        change_note="New",
        upload=("t.pdf", pdf_bytes()),
    )
    page = client.get(board_library(world)).content.decode()
    assert "Board terms of reference" in page and "1 April 2026" in page and ">2.0<" in page
    assert MARKER not in page and "WITHDRAWNLIB" not in page
    only = client.get(board_library(world) + "?type=strategy").content.decode()
    assert "Board terms of reference" not in only and "No documents of this type." in only
    client.force_login(world.coordinator)
    page = client.get(board_library(world)).content.decode()
    assert "WITHDRAWNLIB" in page and "Withdrawn" in page and "Add a document" in page


def test_a_coordinator_adds_a_document_with_errors_by_their_field_and_nothing_lost(client, world):
    client.force_login(world.coordinator)
    url = board_library(world, "body_library_create")
    form = {
        "title": "Delivery plan",
        "doc_type": "strategy",
        "summary": "What we will do this year",
        "members_only": "on",
        "version": "1.0",
        "issued_on_day": "31",
        "issued_on_month": "2",
        "issued_on_year": "2026",
    }
    response = client.post(url, {**form, "upload": SimpleUploadedFile("plan.pdf", pdf_bytes())})
    page = response.content.decode()
    assert response.status_code == 200 and "<title>Error: " in page
    assert "Date of this version must be a real date" in page
    # What was typed is kept; the file, which a browser never sends back, is asked for again.
    assert 'value="Delivery plan"' in page and "What we will do this year" in page
    assert "Select the file again" in page
    form.update(issued_on_day="28")
    response = client.post(url, {**form, "upload": SimpleUploadedFile("plan.pdf", b"nope")})
    assert "whatever its name says" in response.content.decode()
    response = client.post(url, {**form, "upload": SimpleUploadedFile("plan.pdf", pdf_bytes())})
    document = LibraryDocument.objects.get(title="Delivery plan")
    assert response.status_code == 302 and response["Location"] == document.get_absolute_url()
    assert document.members_only and document.body == world.board
    assert document.versions.get().issued_on == date(2026, 2, 28)


def test_a_new_version_with_a_used_label_is_refused_by_the_field(client, world):
    document = add_document(world, body=world.board)
    client.force_login(world.coordinator)
    url = reverse(
        "governance:library_version_create",
        kwargs={"partnership": world.partnership.slug, "pk": document.pk},
    )
    form = {
        "version": "1.0",
        "issued_on_day": "1",
        "issued_on_month": "4",
        "issued_on_year": "2026",
        "change_note": "Membership section rewritten",
    }
    upload = SimpleUploadedFile("terms-2.pdf", pdf_bytes())
    page = client.post(url, {**form, "upload": upload}).content.decode()
    assert re.search(r'id="id_version-error"[^>]*>.*already exists', page)
    assert "Membership section rewritten" in page and "Select the file again" in page
    form["version"] = "2.0"
    upload = SimpleUploadedFile("terms-2.pdf", pdf_bytes())
    assert client.post(url, {**form, "upload": upload}).status_code == 302
    page = client.get(document.get_absolute_url()).content.decode()
    assert "Superseded on 1 April 2026" in page and "Current" in page
    assert "What changed: Membership section rewritten" in page


def test_withdrawing_hides_the_document_from_everyone_but_the_coordinators(client, world):
    document = add_document(world, body=world.board)
    client.force_login(world.coordinator)
    url = reverse(
        "governance:library_document_withdraw",
        kwargs={"partnership": world.partnership.slug, "pk": document.pk},
    )
    assert client.post(url).status_code == 302
    assert b"Withdrawn" in client.get(document.get_absolute_url()).content
    client.force_login(world.member)
    assert client.get(document.get_absolute_url()).status_code == 404


def test_editing_the_details_keeps_what_was_typed_on_error(client, world):
    document = add_document(world, body=world.board)
    client.force_login(world.coordinator)
    url = reverse(
        "governance:library_document_edit",
        kwargs={"partnership": world.partnership.slug, "pk": document.pk},
    )
    page = client.post(url, {"title": "", "summary": "Kept words"}).content.decode()
    assert "Enter title" in page and "Select type of document" in page and "Kept words" in page
    response = client.post(url, {"title": "Renamed", "doc_type": "policy", "summary": ""})
    assert response.status_code == 302
    document.refresh_from_db()
    assert (document.title, document.doc_type) == ("Renamed", "policy")


def test_a_members_only_file_is_not_cached_by_anyone_on_the_way(client, world):
    lib = build_library(world)
    client.force_login(world.member)
    version = lib.board_private.versions.get()
    url = reverse(
        "governance:library_version_file",
        kwargs={"partnership": world.partnership.slug, "pk": lib.board_private.pk, "version": 0},
    )
    response = client.get(url.replace("/versions/0/", f"/versions/{version.pk}/"))
    assert drain(response).startswith(b"%PDF")
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"


# --- papers ---------------------------------------------------------------------------------------


def paper_edit_url(w, g):
    return reverse(
        "governance:paper_edit",
        kwargs={"partnership": w.partnership.slug, "pk": g.upcoming.pk, "paper": g.public_paper.pk},
    )


def test_replacing_a_papers_file_asks_what_changed_by_the_field(client, world):
    g = build_meetings(world)
    client.force_login(world.coordinator)
    form = {
        "title": "Draft community safety plan",
        "owner": world.member.pk,
        "main_issues": "Burglary is down",
        "decision_required": "To approve the plan",
    }
    upload = SimpleUploadedFile("plan-v2.pdf", pdf_bytes())
    page = client.post(paper_edit_url(world, g), {**form, "upload": upload}).content.decode()
    assert re.search(r'id="id_change_note-error"[^>]*>.*Enter what changed', page)
    upload = SimpleUploadedFile("plan-v2.pdf", pdf_bytes())
    response = client.post(
        paper_edit_url(world, g), {**form, "upload": upload, "change_note": "New figures"}
    )
    assert response.status_code == 302
    paper = Paper.objects.get(pk=g.public_paper.pk)
    assert (paper.version, paper.change_note) == (2, "New figures")


def test_a_paper_without_a_file_is_not_asked_what_changed(client, world):
    g = build_meetings(world)
    client.force_login(world.coordinator)
    url = reverse(
        "governance:paper_create",
        kwargs={
            "partnership": world.partnership.slug,
            "pk": g.upcoming.pk,
            "item": g.public_item.pk,
        },
    )
    assert b"change_note" not in client.get(url).content
    assert b"change_note" in client.get(paper_edit_url(world, g)).content


def test_a_coordinator_adds_a_supplementary_paper_through_the_form(client, world):
    g = build_meetings(world)
    client.force_login(world.coordinator)
    args = {"partnership": world.partnership.slug, "pk": g.upcoming.pk}
    meeting_page = client.get(reverse("governance:meeting", kwargs=args)).content.decode()
    url = reverse(
        "governance:paper_supplementary_create", kwargs={**args, "item": g.public_item.pk}
    )
    assert url in meeting_page
    form = {"title": "Revised costs", "owner": world.member.pk, "late_reason": ""}
    upload = SimpleUploadedFile("costs.pdf", pdf_bytes())
    page = client.post(url, {**form, "upload": upload}).content.decode()
    assert "Enter why the chair accepted the paper late" in page
    assert "Select the chair or deputy chair who accepted the paper" in page
    assert "Select the file again" in page and 'value="Revised costs"' in page
    form.update(late_reason="Prices arrived late", accepted_by=world.chair.pk)
    upload = SimpleUploadedFile("costs.pdf", pdf_bytes())
    response = client.post(url, {**form, "upload": upload})
    assert response.status_code == 302
    paper = Paper.objects.get(title="Revised costs")
    assert paper.supplementary and paper.late_accepted_by == world.chair


# --- query counts ---------------------------------------------------------------------------------


def _documents(w, count: int, *, start: int = 0) -> None:
    for n in range(start, start + count):
        add_document(
            w, body=w.board, title=f"Document {n:03}", members_only=n % 5 == 0, version=f"{n}"
        )


@pytest.mark.parametrize(
    ("role", "queries"),
    [
        # The body (with its partnership), one page of documents with their total and current
        # versions.
        ("anonymous", 2),
        # And the session, the user, their rights.
        ("coordinator", 5),
        # And their bodies' partnerships (what they reach), and the partnership's tree (whether
        # they keep the body's library).
        ("member", 7),
    ],
)
def test_the_list_reads_the_same_number_of_queries_for_5_and_70_documents(
    role, queries, client, world, django_assert_num_queries
):
    client = _client_for(client, world, role)
    _documents(world, 5)
    with django_assert_num_queries(queries):
        assert client.get(board_library(world)).status_code == 200
    _documents(world, 65, start=5)
    with django_assert_num_queries(queries):
        page = client.get(board_library(world))
    assert page.status_code == 200
    assert b'aria-label="Pages of documents"' in page.content


# --- the review's fixes ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_a_confidential_papers_earlier_versions_stay_confidential_once_it_is_public(
    role, client, world
):
    """The sweep for earlier versions: a paper confidential through two files (the second
    saying SECRETVERSION), each circulated, then made public with a redacted third: only
    those who see the Board's confidential business see the earlier ones, listed or fetched,
    and the file is never cached."""
    g = build_meetings(world)
    actor = world.coordinator
    gs.paper_update(
        actor=actor, paper=g.public_paper, confidential=True, confidential_reason="Names"
    )
    for n, note in ((2, "SECRETVERSION scores added"), (3, "Redacted")):
        gs.paper_update(
            actor=actor,
            paper=g.public_paper,
            upload=(f"plan-{n}.pdf", pdf_bytes()),
            change_note=note,
            confidential=n != 3,
            confidential_reason="Names" if n != 3 else "",
        )
        gs.papers_circulate(actor=actor, meeting=g.upcoming)
    client = _client_for(client, world, role)
    args = {"partnership": world.partnership.slug, "pk": g.upcoming.pk, "paper": g.public_paper.pk}
    page = client.get(reverse("governance:paper", kwargs=args))
    assert page.status_code == 200  # the paper itself is public now
    insiders = role in ("member", "chair", "coordinator")
    assert ("SECRETVERSION" in page.content.decode()) == insiders
    response = client.get(reverse("governance:paper_version_file", kwargs={**args, "number": 1}))
    if insiders:
        assert drain(response).startswith(b"%PDF")
        assert response["Cache-Control"] == "private, no-store"
    else:
        assert response.status_code == 404


def test_a_replacement_file_lost_on_an_error_is_asked_for_not_silently_dropped(client, world):
    g = build_meetings(world)
    client.force_login(world.coordinator)
    form = {
        "title": "",
        "owner": world.member.pk,
        "main_issues": "Burglary is down",
        "change_note": "New figures",
    }
    upload = SimpleUploadedFile("plan-v2.pdf", pdf_bytes())
    page = client.post(paper_edit_url(world, g), {**form, "upload": upload}).content.decode()
    assert re.search(r'id="id_upload-error"[^>]*>.*Select the file again', page)
    assert "New figures" in page
    # Sent again as the browser sends it: what was typed, but no file.
    form["title"] = "Draft community safety plan"
    response = client.post(paper_edit_url(world, g), form)
    page = response.content.decode()
    assert response.status_code == 200 and "Paper saved" not in page
    assert re.search(r'id="id_upload-error"[^>]*>.*Select the new file', page)
    assert Paper.objects.get(pk=g.public_paper.pk).version == 1
    # A cover sheet changed on its own needs no file and no note.
    del form["change_note"]
    assert client.post(paper_edit_url(world, g), form).status_code == 302


def test_the_add_a_paper_link_is_the_supplementary_form_once_the_papers_are_out(client, world):
    g = build_meetings(world)
    client.force_login(world.coordinator)
    args = {"partnership": world.partnership.slug, "pk": g.upcoming.pk}
    page = client.get(reverse("governance:meeting", kwargs=args)).content.decode()
    item = {**args, "item": g.public_item.pk}
    assert reverse("governance:paper_supplementary_create", kwargs=item) in page
    assert reverse("governance:paper_create", kwargs=item) not in page
    # Reached some other way, the ordinary form refuses a paper with its file.
    upload = SimpleUploadedFile("extra.pdf", pdf_bytes())
    response = client.post(
        reverse("governance:paper_create", kwargs=item),
        {"title": "Extra", "owner": world.member.pk, "upload": upload},
    )
    assert re.search(
        r'id="id_upload-error"[^>]*>.*add it as a supplementary paper', response.content.decode()
    )


def test_the_supplementary_form_refuses_before_anything_is_typed(client, world):
    g = build_meetings(world)
    client.force_login(world.coordinator)
    url = reverse(
        "governance:paper_supplementary_create",
        kwargs={"partnership": world.partnership.slug, "pk": g.past.pk, "item": g.past_public.pk},
    )
    page = client.get(url).content.decode()
    refusal = "The papers for this meeting have not been circulated yet"
    assert "<title>Error: " in page and refusal in page
    assert 'name="late_reason"' not in page
    page = client.post(url, {"title": "Late", "late_reason": "Because"}).content.decode()
    assert refusal in page and not Paper.objects.filter(title="Late")


def test_editing_a_members_only_document_warns_that_its_versions_would_be_public(client, world):
    lib = build_library(world)
    client.force_login(world.coordinator)
    for document, warned in ((lib.board_private, True), (lib.board_public, False)):
        url = reverse(
            "governance:library_document_edit",
            kwargs={"partnership": world.partnership.slug, "pk": document.pk},
        )
        page = client.get(url).content.decode()
        assert ("with all its earlier versions" in page) == warned
