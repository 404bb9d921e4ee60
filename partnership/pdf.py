"""PDFs from templates. ``render_pdf`` turns a Django template into a tagged PDF/UA-1 document;
``pdf_pack`` puts other PDFs (meeting papers, read once by ``pdf_open``) after it, keeping the
first one's tags, in one writer that writes each of them once.

WeasyPrint would otherwise fetch whatever a document names: any server on the network, any
file on disk. ``StaticFilesFetcher`` lets it read our own static files and nothing else, so a
document can neither leak a file from the server nor make the server call anyone.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import mimetypes
import re
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from pypdf import PdfReader, PdfWriter
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

log = logging.getLogger(__name__)

# PDF/UA-1: tagged, with the document's language and title, so screen readers can read it.
PDF_VARIANT = "pdf/ua-1"


class RefusedURL(ValueError):
    """A document asked for something outside our static files."""


def _static_roots() -> list[Path]:
    roots = []
    for entry in settings.STATICFILES_DIRS:
        folder = entry[1] if isinstance(entry, (list, tuple)) else entry
        roots.append(Path(folder).resolve())
    return roots


def _base_url() -> str:
    # Relative links in a document (to a meeting's page, say) then point at the live site;
    # static files under this origin are read from disk, never over the network.
    return settings.SITE_URL.rstrip("/") + "/"


def static_file(url: str) -> Path:
    """The file in our static folders that ``url`` names, or RefusedURL.

    Accepted: ``<SITE_URL><STATIC_URL>...`` (what ``{% static %}`` gives once joined to the
    base URL), resolved through the staticfiles finders, and ``file://`` URLs. Either way the
    file must lie, after resolving links and ``..``, inside one of STATICFILES_DIRS.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    site = urlsplit(_base_url())
    if scheme == "file":
        path = Path(url2pathname(parts.path))
    elif (
        scheme in ("http", "https")
        and (scheme, parts.netloc.lower()) == (site.scheme.lower(), site.netloc.lower())
        and parts.path.startswith(settings.STATIC_URL)
    ):
        try:
            found = finders.find(unquote(parts.path.removeprefix(settings.STATIC_URL)))
        except SuspiciousFileOperation as exc:
            raise RefusedURL(f"Refused {url}: it climbs out of the static folders") from exc
        if not found:
            raise RefusedURL(f"Refused {url}: there is no such static file")
        path = Path(found)
    else:
        raise RefusedURL(f"Refused {url}: documents may use only our own static files")
    path = path.resolve()
    # The finders also search apps' static folders; a symlink could point anywhere. Only the
    # folders we build and vet are allowed.
    if not any(path.is_relative_to(root) for root in _static_roots()) or not path.is_file():
        raise RefusedURL(f"Refused {url}: it is not in our static folders")
    return path


class StaticFilesFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves our static files from disk and refuses the rest."""

    def __init__(self, **kwargs):
        # No redirects to follow: nothing is ever fetched over the network.
        kwargs.setdefault("allow_redirects", False)
        super().__init__(**kwargs)

    def fetch(self, url, headers=None):
        try:
            path = static_file(url)
        except RefusedURL:
            log.warning("PDF rendering refused a URL: %s", url)
            raise
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            url, body=path.read_bytes(), headers={"Content-Type": content_type}
        )


def facts_fingerprint(facts: Any) -> str:
    """A sha256 hex digest of a document's facts (plain JSON data), the same in any key order:
    a stored PDF is stale exactly when the fingerprint of what it would show changes."""
    data = json.dumps(facts, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()


def render_pdf(
    *,
    template: str,
    context: dict,
    progress: Callable[[int, int], None] | None = None,
    appended_pages: int = 0,
) -> bytes:
    """Render ``template`` to a tagged PDF/UA-1 document. The template sets the language
    (``<html lang="en-GB">``) and ``<title>``, which become the PDF's /Lang and title.

    ``progress``, if given, is called as ``progress(0, pages)`` once the document is laid out,
    then ``progress(n, pages)`` as page n is written, so a job can say how far it has got.

    ``appended_pages`` is how many pages ``pdf_pack`` will put after this document: the
    template's ``counter(pages)`` (its "Page 1 of N" footer) then counts them too, in the one
    layout (see ``_counting_appended``)."""
    html = render_to_string(template, context)
    own_at_most = OWN_PAGES_GUESS
    while True:
        laid_out = _layout(_counting_appended(html, appended_pages, own_at_most))
        if not appended_pages or len(laid_out.pages) <= own_at_most:
            break
        # Past the counter style's last symbol the total would be the document's own: rare
        # enough (a document of hundreds of pages) to pay for a second layout.
        own_at_most = len(laid_out.pages)
    if progress is not None:
        # What HTML.write_pdf does, in its two steps, with word of each.
        pages = len(laid_out.pages)
        progress(0, pages)
        for number, page in enumerate(laid_out.pages, start=1):
            page.paint = _reporting(page.paint, partial(progress, number, pages))
    return laid_out.write_pdf(pdf_variant=PDF_VARIANT)


# How many of a document's own pages the page-total counter style spells out; a longer
# document is laid out again with a longer list.
OWN_PAGES_GUESS = 200
_TOTAL_STYLE = "pdf-page-total"
_STYLE_BLOCK = re.compile(r"(<style\b[^>]*>)(.*?)(</style>)", re.DOTALL | re.IGNORECASE)
_PAGES_COUNTER = re.compile(r"counter\(\s*pages\s*\)")


def _counting_appended(html: str, appended: int, own_at_most: int) -> str:
    """``html`` with ``counter(pages)`` in its styles counting ``appended`` more pages.

    WeasyPrint's pages counter knows only the pages it lays out, and CSS has no arithmetic;
    but a counter style maps each value to any text. A "fixed" style whose symbols for 1, 2,
    ... are "1 + appended", "2 + appended", ... prints the whole file's length in one layout,
    where learning the document's own length first took a whole second one. Only the styles
    are rewritten, so a paper titled "counter(pages)" reads as it should."""
    if not appended:
        return html
    symbols = " ".join(f'"{own + appended}"' for own in range(1, own_at_most + 1))
    rule = f"@counter-style {_TOTAL_STYLE} {{ system: fixed 1; symbols: {symbols}; }}\n"

    def rewrite(style: re.Match) -> str:
        css = _PAGES_COUNTER.sub(f"counter(pages, {_TOTAL_STYLE})", style[2])
        return style[1] + rule + css + style[3]

    return _STYLE_BLOCK.sub(rewrite, html)


def _layout(html: str):
    document = HTML(string=html, base_url=_base_url(), url_fetcher=StaticFilesFetcher())
    return document.render(pdf_variant=PDF_VARIANT)


def _reporting(paint: Callable, report: Callable[[], None]) -> Callable:
    # WeasyPrint paints each page into the PDF in turn: say so before each one.
    def paint_and_report(*args, **kwargs):
        report()
        return paint(*args, **kwargs)

    return paint_and_report


class UnreadablePDF(ValueError):
    """``pdf_pack`` could not append one of the PDFs it was given: ``index`` says which."""

    def __init__(self, index: int):
        super().__init__(f"Appended PDF {index + 1} could not be read")
        self.index = index


def pdf_open(data: bytes) -> PdfReader | None:
    """``data`` read as a PDF to append with ``pdf_pack``, or None if it cannot be read or
    has no pages. Its page count is ``len(reader.pages)``. The reader is what gets appended:
    the file is parsed once, here, and written once, in the pack."""
    try:
        reader = PdfReader(io.BytesIO(data))
        # Papers locked only against editing open with an empty password; others fail.
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValueError("the PDF needs a password")
        if not len(reader.pages):
            raise ValueError("the PDF has no pages")
    except Exception:  # noqa: BLE001 - whatever the reason, it cannot be appended
        log.warning("A PDF could not be read to append", exc_info=True)
        return None
    return reader


def pdf_pack(*, first: bytes, others: list[tuple[str | None, PdfReader]]) -> bytes:
    """``first`` followed by the pages of each of ``others`` (readers from ``pdf_open``,
    each with the title of a bookmark at its first page, or None), in one writer written
    once. The result keeps ``first``'s catalogue (structure tree, language, metadata,
    bookmarks), so it stays tagged; the appended pages are as tagged as their authors made
    them, their own bookmarks under the title's.

    A PDF that opened but breaks part way through raises ``UnreadablePDF`` with its index,
    so that the caller can say so in ``first`` and pack again without it: nothing is
    returned with half a paper in it."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(first)))
    for index, (title, reader) in enumerate(others):
        try:
            writer.append(reader, outline_item=title)
        except Exception as exc:
            raise UnreadablePDF(index) from exc
    out = io.BytesIO()
    try:
        writer.write(out)
    except Exception:
        # Which paper broke the writing? Each written alone says (the slow way, only now).
        for index, (_, reader) in enumerate(others):
            try:
                _rewrite(reader)
            except Exception as exc:
                raise UnreadablePDF(index) from exc
        raise
    return out.getvalue()


def _rewrite(reader: PdfReader) -> bytes:
    alone = PdfWriter()
    alone.append(reader)
    out = io.BytesIO()
    alone.write(out)
    return out.getvalue()


def append_pdfs(*, first: bytes, others: list[bytes], titles: list[str] | None = None) -> bytes:
    """``first`` followed by the pages of each of ``others``, as ``pdf_pack`` puts them. A
    PDF that cannot be read is left out with a warning rather than losing the whole
    document. ``titles``, if given, name a bookmark for the start of each appended PDF."""
    if not others:
        return first
    opened = []
    for index, data in enumerate(others):
        reader = pdf_open(data)
        if reader is None:
            log.warning("Left out appended PDF %d: it could not be read", index + 1)
            continue
        opened.append((index, titles[index] if titles and index < len(titles) else None, reader))
    while True:
        try:
            return pdf_pack(first=first, others=[(title, reader) for _, title, reader in opened])
        except UnreadablePDF as exc:
            index = opened.pop(exc.index)[0]
            log.warning("Left out appended PDF %d: it could not be read", index + 1, exc_info=True)
