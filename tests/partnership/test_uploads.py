"""Uploads: a request over its route's size is refused before a byte of it is read; a PDF that
carries active content and an Office file with macros are refused with the reason by the
field, the rest of the form kept; private files are never world-readable."""

from __future__ import annotations

import io
import stat
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIHandler
from django.test import RequestFactory
from django.urls import reverse
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from governance import services as gs
from governance.models import Paper
from partnership.files import RejectedFile, check_upload, pdf_active_content
from partnership.uploads import UPLOAD_ROUTES, request_limit
from tests.governance.helpers import pdf_bytes, schedule

MB = 1024 * 1024


# --- the size of a request, before it is read -------------------------------------------------


class CountingStream(io.BytesIO):
    """A request body that remembers how much of it was read."""

    read_bytes = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.read_bytes += len(chunk)
        return chunk

    def readline(self, size=-1):
        line = super().readline(size)
        self.read_bytes += len(line)
        return line


def _multipart(size: int) -> tuple[bytes, str]:
    boundary = "----partnership-test"
    body = (
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="upload"; filename="big.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + b"%PDF-1.7\n"
        + b"0" * size
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def _send(path: str, body: bytes, content_type: str):
    environ = RequestFactory()._base_environ(
        PATH_INFO=path,
        REQUEST_METHOD="POST",
        CONTENT_TYPE=content_type,
        CONTENT_LENGTH=str(len(body)),
    )
    stream = CountingStream(body)
    environ["wsgi.input"] = stream
    statuses = []
    handler = WSGIHandler()  # its middleware (WhiteNoise's index of files) is built first
    tracemalloc.start()
    try:
        response = handler(environ, lambda status, headers: statuses.append(status))
        b"".join(response)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return statuses[0], stream.read_bytes, peak


def test_a_50_mb_post_to_the_sign_in_page_is_refused_unread(db):
    _send(reverse("login"), *_multipart(MB))  # the first request loads templates and URLs
    body, content_type = _multipart(50 * MB)
    status, read, peak = _send(reverse("login"), body, content_type)
    assert status.startswith("413")
    assert read == 0
    assert peak < MB // 2, f"{peak} bytes allocated handling a refused request"


def test_a_paper_over_its_limit_is_refused_unread(world, settings):
    settings.PAPER_MAX_BYTES = 1 * MB
    meeting = schedule(world, days=10)
    item = gs.item_add(actor=world.coordinator, meeting=meeting, title="Budget")
    url = reverse(
        "governance:paper_create",
        kwargs={"partnership": world.partnership.slug, "pk": meeting.pk, "item": item.pk},
    )
    body, content_type = _multipart(3 * MB)
    status, read, _ = _send(url, body, content_type)
    assert status.startswith("413") and read == 0


def test_the_413_page_names_the_limit_and_says_going_back_keeps_what_was_typed(client, world):
    meeting = schedule(world, days=10)
    item = gs.item_add(actor=world.coordinator, meeting=meeting, title="Budget")
    url = reverse(
        "governance:paper_create",
        kwargs={"partnership": world.partnership.slug, "pk": meeting.pk, "item": item.pk},
    )
    client.force_login(world.coordinator)
    response = client.generic(
        "POST", url, b"x", CONTENT_TYPE="application/octet-stream", CONTENT_LENGTH=str(30 * MB)
    )
    assert response.status_code == 413
    html = response.content.decode()
    assert "The file you chose is too big" in html and "20.0\xa0MB" in html
    assert "what you typed is still there" in html


def test_a_paper_within_its_limit_gets_through(world):
    assert request_limit("governance:paper_create") > 20 * MB
    assert request_limit("account:home") == 2_621_440


def test_every_form_that_takes_a_file_has_a_route_limit():
    """A new upload form must be given its limit in partnership/uploads.py, else every upload
    to it is refused as too big: this lists them."""
    templates = Path(__file__).resolve().parents[2] / "templates"
    forms = sorted(
        str(path.relative_to(templates))
        for path in templates.rglob("*.html")
        if "multipart/form-data" in path.read_text()
    )
    assert forms == [
        "governance/library/document_form.html",
        "governance/library/version_form.html",
        "governance/paper_form.html",
        "governance/paper_supplementary_form.html",
        "membership/agreement_form.html",
        "performance/partnerships/key_partnership_form.html",
        "performance/risks/import.html",
        "performance/transfer/import.html",
    ]
    assert set(UPLOAD_ROUTES) == {
        "governance:body_library_create",
        "governance:library_create",
        "governance:library_version_create",
        "governance:paper_create",
        "governance:paper_edit",
        "governance:paper_supplementary_create",
        "membership:agreement_upload",
        "performance:indicator_import",
        "performance:key_partnership_create",
        "performance:key_partnership_edit",
        "performance:risk_import",
    }


# --- what a PDF carries -----------------------------------------------------------------------


def _pdf(build) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    build(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _open_action(kind: str, **fields):
    def build(writer):
        action = DictionaryObject({NameObject("/S"): NameObject(kind)})
        for key, value in fields.items():
            action[NameObject(f"/{key}")] = TextStringObject(value)
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)

    return build


def _document_javascript(writer):
    """A script in the document's name tree, run when it opens (``/Names /JavaScript``)."""
    action = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('hi')"),
        }
    )
    tree = DictionaryObject(
        {NameObject("/Names"): ArrayObject([TextStringObject("start"), writer._add_object(action)])}
    )
    writer._root_object[NameObject("/Names")] = DictionaryObject(
        {NameObject("/JavaScript"): writer._add_object(tree)}
    )


ACTIVE = [
    ("javascript on opening", _open_action("/JavaScript", JS="app.alert('hi')"), "JavaScript"),
    ("document javascript", _document_javascript, "JavaScript"),
    ("launch", _open_action("/Launch", F="cmd.exe"), "an action that starts a program"),
    ("uri on opening", _open_action("/URI", URI="https://x.example"), "opens a web address"),
    ("embedded file", lambda w: w.add_attachment("run.exe", b"MZ..."), "an embedded file"),
    (
        "xfa form",
        lambda w: w._root_object.__setitem__(
            NameObject("/AcroForm"),
            DictionaryObject(
                {NameObject("/Fields"): ArrayObject(), NameObject("/XFA"): ArrayObject()}
            ),
        ),
        "an XFA form",
    ),
]


@pytest.mark.parametrize(("case", "build", "says"), ACTIVE, ids=[c[0] for c in ACTIVE])
def test_a_pdf_with_active_content_is_refused_with_the_reason(case, build, says):
    data = _pdf(build)
    assert says in (pdf_active_content(data) or "")
    with pytest.raises(RejectedFile) as caught:
        check_upload(name="paper.pdf", data=data)
    assert says in str(caught.value) and "Save it again without it" in str(caught.value)


def test_a_plain_pdf_and_one_with_links_are_accepted():
    assert pdf_active_content(pdf_bytes()) is None
    linked = pdf_bytes("See https://www.gov.uk for the guidance.")
    assert pdf_active_content(linked) is None
    assert check_upload(name="paper.pdf", data=linked).file_type == "pdf"


# --- Office files with macros ----------------------------------------------------------------


def _package(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


DOCX = {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}


def test_a_word_file_with_macros_is_refused_even_named_docx():
    data = _package({**DOCX, "word/vbaProject.bin": b"\x00VBA"})
    with pytest.raises(RejectedFile, match="contains macros"):
        check_upload(name="paper.docx", data=data)
    assert check_upload(name="paper.docx", data=_package(DOCX)).file_type == "docx"


def test_an_opendocument_file_with_basic_macros_is_refused():
    data = _package(
        {"mimetype": b"application/vnd.oasis.opendocument.text", "Basic/Standard/Module1.xml": b""}
    )
    with pytest.raises(RejectedFile, match="contains macros"):
        check_upload(name="paper.odt", data=data)


def test_a_word_97_file_with_a_vba_project_is_refused():
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512 + "_VBA_PROJECT".encode("utf-16-le")
    with pytest.raises(RejectedFile, match="contains macros"):
        check_upload(name="paper.doc", data=data)


# --- through the form: the reason by the field, the rest kept ---------------------------------


def test_the_paper_form_refuses_a_pdf_with_javascript_and_keeps_what_was_typed(client, world):
    meeting = schedule(world, days=10)
    item = gs.item_add(actor=world.coordinator, meeting=meeting, title="Budget")
    url = reverse(
        "governance:paper_create",
        kwargs={"partnership": world.partnership.slug, "pk": meeting.pk, "item": item.pk},
    )
    client.force_login(world.coordinator)
    data = _pdf(_open_action("/JavaScript", JS="app.alert('hi')"))
    response = client.post(
        url,
        {
            "title": "Pooled budget proposals",
            "owner": world.member.pk,
            "main_issues": "Partners propose to pool more.",
            "upload": SimpleUploadedFile("budget.pdf", data, content_type="application/pdf"),
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html and 'href="#id_upload"' in html
    assert "The selected PDF contains JavaScript" in html
    assert 'value="Pooled budget proposals"' in html and "Partners propose to pool more." in html
    assert not Paper.objects.filter(title="Pooled budget proposals").exists()


# --- file modes ---------------------------------------------------------------------------------


def test_private_files_are_not_world_readable(world, private_media):
    meeting = schedule(world, days=10)
    item = gs.item_add(actor=world.coordinator, meeting=meeting, title="Budget")
    paper = gs.paper_add(
        actor=world.coordinator,
        item=item,
        title="Budget",
        owner=world.member,
        upload=("budget.pdf", pdf_bytes()),
    )
    path = Path(paper.file.path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    for folder in path.relative_to(private_media).parents:
        if str(folder) != ".":
            assert stat.S_IMODE((private_media / folder).stat().st_mode) == 0o750
