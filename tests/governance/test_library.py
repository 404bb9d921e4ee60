"""The document library's rules, through its services and selectors: versions supersede one
another with a date and stay readable, labels are unique, the file is checked, words are read
in the background (safely twice), and who sees a document is decided in one place."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError

from governance.models import DocumentVersion, LibraryDocument
from governance.selectors import library as selectors
from governance.services import library as services
from partnership.models import OutboxJob
from partnership.storage import private_storage
from tests.conftest import fresh
from tests.factories import PartnershipFactory
from tests.governance.helpers import pdf_bytes

MARKER = "SECRETLIBRARY"


def add_document(w, *, body=None, title="Terms of reference", members_only=False, **extra):
    return services.document_create(
        actor=w.coordinator,
        partnership=w.partnership,
        body=body,
        title=title,
        doc_type=extra.pop("doc_type", "terms_of_reference"),
        summary=extra.pop("summary", "How the body works."),
        members_only=members_only,
        version=extra.pop("version", "1.0"),
        issued_on=extra.pop("issued_on", date(2026, 1, 5)),
        upload=extra.pop("upload", ("terms.pdf", pdf_bytes("Terms of reference words"))),
    )


def build_library(w) -> SimpleNamespace:
    """The Board's public terms of reference, its members-only plan (the marker in its title
    and summary), a withdrawn document; the Safer Group's members-only note; and the
    partnership's own public strategy and members-only briefing."""
    lib = SimpleNamespace(
        board_public=add_document(w, body=w.board, title="Board terms of reference"),
        board_private=add_document(
            w,
            body=w.board,
            title=f"Savings plan {MARKER}",
            summary=f"Which services close {MARKER}",
            members_only=True,
            doc_type="strategy",
        ),
        board_withdrawn=add_document(w, body=w.board, title="Old constitution WITHDRAWNLIB"),
        group_private=add_document(w, body=w.group, title="Group note GROUPLIB", members_only=True),
        strategy=add_document(w, title="Community strategy", doc_type="strategy"),
        briefing=add_document(
            w, title="Partners' briefing PARTNERLIB", members_only=True, doc_type="newsletter"
        ),
    )
    services.document_withdraw(actor=w.coordinator, document=lib.board_withdrawn)
    return lib


@pytest.fixture
def lib(world):
    return build_library(world)


# --- versions ----------------------------------------------------------------------------------


def test_a_new_document_has_its_first_version_current(world):
    document = add_document(world, body=world.board)
    (version,) = document.versions.all()
    assert (version.version, version.issued_on, version.superseded_on) == (
        "1.0",
        date(2026, 1, 5),
        None,
    )
    assert version.file_type == "pdf" and private_storage.exists(version.file.name)
    assert version.uploaded_by == world.coordinator


def test_a_new_version_supersedes_the_current_one_on_its_date_and_keeps_it(world):
    document = add_document(world, body=world.board)
    first = document.versions.get()
    second = services.document_version_add(
        actor=world.coordinator,
        document=document,
        version="2.0",
        issued_on=date(2026, 4, 1),
        change_note="New membership section",
        upload=("terms-2.pdf", pdf_bytes("Second")),
    )
    first.refresh_from_db()
    assert first.superseded_on == date(2026, 4, 1)
    assert second.superseded_on is None and second.change_note == "New membership section"
    # The old file is kept: it stays readable.
    assert private_storage.exists(first.file.name) and first.file.name != second.file.name
    assert [v.version for v in selectors.document_versions(document)] == ["2.0", "1.0"]


def test_a_version_label_is_used_once_per_document(world):
    document = add_document(world, body=world.board)
    with pytest.raises(ValidationError) as caught:
        services.document_version_add(
            actor=world.coordinator,
            document=document,
            version=" 1.0 ",
            issued_on=date(2026, 4, 1),
            change_note="Again",
            upload=("terms.pdf", pdf_bytes()),
        )
    assert "already exists" in caught.value.message_dict["version"][0]
    assert document.versions.count() == 1
    # Another document may use the same label.
    assert add_document(world, body=world.board, title="Another").versions.get().version == "1.0"


def test_a_new_version_says_what_changed_and_is_not_dated_before_the_current_one(world):
    document = add_document(world, body=world.board)
    with pytest.raises(ValidationError) as caught:
        services.document_version_add(
            actor=world.coordinator,
            document=document,
            version="2",
            issued_on=date(2025, 12, 31),
            change_note=" ",
            upload=None,
        )
    errors = caught.value.message_dict
    assert errors["change_note"] == ["Enter what changed in this version"]
    assert "on or after 5 January 2026" in errors["issued_on"][0]
    assert errors["upload"] == ["Select the document's file"]
    assert document.versions.get().superseded_on is None


def test_a_file_is_judged_by_its_content_and_every_error_is_given_at_once(world):
    with pytest.raises(ValidationError) as caught:
        add_document(world, title=" ", version="", upload=("terms.pdf", b"not a PDF"))
    errors = caught.value.message_dict
    assert set(errors) == {"title", "version", "upload"}
    assert "whatever its name says" in errors["upload"][0]
    assert not LibraryDocument.objects.exists()


def test_a_withdrawn_document_takes_no_new_version(world):
    document = add_document(world, body=world.board)
    services.document_withdraw(actor=world.coordinator, document=document)
    services.document_withdraw(actor=world.coordinator, document=document)  # no change
    with pytest.raises(ValidationError):
        services.document_version_add(
            actor=world.coordinator,
            document=document,
            version="2",
            issued_on=date(2026, 4, 1),
            change_note="More",
            upload=("terms.pdf", pdf_bytes()),
        )


def test_editing_the_details_changes_nothing_of_the_versions(world):
    document = add_document(world, body=world.board)
    services.document_update(
        actor=world.coordinator,
        document=document,
        title="Terms of reference (2026)",
        doc_type="terms_of_reference",
        summary="",
        members_only=True,
    )
    document.refresh_from_db()
    assert (document.title, document.members_only) == ("Terms of reference (2026)", True)
    assert document.versions.count() == 1
    with pytest.raises(ValidationError) as caught:
        services.document_update(
            actor=world.coordinator, document=document, title="", doc_type="nonsense"
        )
    assert set(caught.value.message_dict) == {"title", "doc_type"}


# --- words, in the background ----------------------------------------------------------------


def test_a_versions_words_are_read_after_commit_once(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        document = add_document(world, body=world.board)
    version = document.versions.get()
    assert version.text == ""
    job = OutboxJob.objects.get(task="governance.tasks.extract_document_text")
    assert job.args == [version.pk] and len(callbacks) >= 1

    from governance.tasks import extract_document_text

    assert extract_document_text(version.pk) is True
    version.refresh_from_db()
    assert "Terms of reference words" in version.text
    # Run again (a retry, a second delivery): nothing to do.
    assert services.document_version_extract_text(version_id=version.pk) is False
    assert services.document_version_extract_text(version_id=version.pk + 999) is False


# --- who sees what -----------------------------------------------------------------------------

SEES = {
    # role: the documents (by their attribute in ``lib``) beyond the public ones
    "anonymous": set(),
    "outsider": set(),
    "other_member": {"briefing"},
    "member": {"board_private", "briefing"},
    "chair": {"board_private", "briefing"},
    "group_coordinator": {"group_private", "briefing"},
    "coordinator": {"board_private", "board_withdrawn", "group_private", "briefing"},
}
PUBLIC_DOCS = {"board_public", "strategy"}


@pytest.mark.parametrize("role", list(SEES))
def test_each_role_sees_the_documents_its_rights_allow(role, world, lib):
    user = AnonymousUser() if role == "anonymous" else fresh(getattr(world, role))
    names = {v: k for k, v in vars(lib).items()}
    seen = {names[d] for d in selectors.documents_visible(LibraryDocument.objects, user=user)}
    assert seen == PUBLIC_DOCS | SEES[role]
    for name, document in vars(lib).items():
        document = LibraryDocument.objects.select_related("partnership", "body").get(pk=document.pk)
        assert selectors.document_visible(document, user=user) == (name in seen), name


def test_public_means_not_members_only_and_not_withdrawn(world, lib):
    assert selectors.document_public(lib.board_public)
    assert not selectors.document_public(lib.board_private)
    lib.board_withdrawn.refresh_from_db()
    assert not selectors.document_public(lib.board_withdrawn)


def test_another_partnerships_members_only_documents_stay_its_own(world, lib):
    elsewhere = PartnershipFactory(name="Elsewhere", slug="elsewhere")
    theirs = services.document_create(
        actor=None,
        partnership=elsewhere,
        title="Elsewhere briefing",
        doc_type="other",
        members_only=True,
        version="1",
        issued_on=date(2026, 1, 1),
        upload=("b.pdf", pdf_bytes()),
    )
    for role in ("member", "coordinator"):
        user = fresh(getattr(world, role))
        visible = selectors.documents_visible(LibraryDocument.objects.all(), user=user)
        assert theirs not in visible


def test_a_list_shows_each_documents_current_version_and_date(world, lib):
    services.document_version_add(
        actor=world.coordinator,
        document=lib.board_public,
        version="2.0",
        issued_on=date(2026, 4, 1),
        change_note="Updated",
        upload=("t.pdf", pdf_bytes()),
    )
    listed = list(
        selectors.documents_listed(
            user=AnonymousUser(), partnership=world.partnership, body=world.board
        )
    )
    assert [(d.title, d.current_version, d.current_on) for d in listed] == [
        ("Board terms of reference", "2.0", date(2026, 4, 1))
    ]
    only = selectors.documents_listed(
        user=fresh(world.coordinator), partnership=world.partnership, body=None, doc_type="strategy"
    )
    assert [d.title for d in only] == ["Community strategy"]
    assert DocumentVersion.objects.filter(document=lib.board_public).count() == 2


def test_a_version_may_not_be_dated_after_today(world, monkeypatch):
    from django.utils import timezone

    document = add_document(world, body=world.board)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(2026, 5, 1))
    with pytest.raises(ValidationError) as caught:
        services.document_version_add(
            actor=world.coordinator,
            document=document,
            version="2.0",
            issued_on=date(2026, 5, 2),
            change_note="Ahead of time",
            upload=("terms-2.pdf", pdf_bytes()),
        )
    assert caught.value.message_dict["issued_on"] == [
        "The date of this version must be today or in the past"
    ]
    version = services.document_version_add(
        actor=world.coordinator,
        document=document,
        version="2.0",
        issued_on=date(2026, 5, 1),
        change_note="Today",
        upload=("terms-2.pdf", pdf_bytes()),
    )
    assert version.issued_on == date(2026, 5, 1)


def test_a_version_added_at_the_same_moment_as_another_is_a_field_error(world, monkeypatch):
    """On SQLite nothing locks the document: another version with the same label gets in
    between the check and the save. The database refuses it; the co-ordinator is told by the
    field, not shown a server error."""
    document = add_document(world, body=world.board)
    check = services._check_version
    # The check ran before the other version went in: it found the label free.
    monkeypatch.setattr(services, "_check_version", lambda **kw: check(**{**kw, "version": "9"}))
    with pytest.raises(ValidationError) as caught:
        services.document_version_add(
            actor=world.coordinator,
            document=document,
            version="1.0",
            issued_on=date(2026, 4, 1),
            change_note="Same moment",
            upload=("terms-2.pdf", pdf_bytes()),
        )
    assert "added at the same time" in caught.value.message_dict["version"][0]
    version = document.versions.get()
    assert (version.version, version.superseded_on) == ("1.0", None)
