"""PDFs from templates. ``render_pdf`` turns a Django template into a tagged PDF/UA-1 document;
``append_pdfs`` puts other PDFs (meeting papers) after it, keeping the first one's tags.

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

    ``appended_pages`` is how many pages ``append_pdfs`` will put after this document. The
    template gets ``page_total``, the whole file's page count, for its "Page 1 of N" footer:
    WeasyPrint's own ``counter(pages)`` knows only the pages it lays out. Knowing the total
    takes a first layout; the footer sits in the page margin, so the second lays out the same
    pages."""
    context = {**context, "page_total": None}
    if appended_pages:
        own = len(_layout(template, context).pages)
        context["page_total"] = own + appended_pages
    laid_out = _layout(template, context)
    if progress is not None:
        # What HTML.write_pdf does, in its two steps, with word of each.
        pages = len(laid_out.pages)
        progress(0, pages)
        for number, page in enumerate(laid_out.pages, start=1):
            page.paint = _reporting(page.paint, partial(progress, number, pages))
    return laid_out.write_pdf(pdf_variant=PDF_VARIANT)


def _layout(template: str, context: dict):
    html = render_to_string(template, context)
    document = HTML(string=html, base_url=_base_url(), url_fetcher=StaticFilesFetcher())
    return document.render(pdf_variant=PDF_VARIANT)


def _reporting(paint: Callable, report: Callable[[], None]) -> Callable:
    # WeasyPrint paints each page into the PDF in turn: say so before each one.
    def paint_and_report(*args, **kwargs):
        report()
        return paint(*args, **kwargs)

    return paint_and_report


def _readable(data: bytes) -> bytes:
    """The PDF rewritten by pypdf, or an exception if it cannot be read. Done apart from the
    pack so a file that fails halfway leaves no stray pages in it."""
    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        # Papers locked only against editing open with an empty password; others raise.
        reader.decrypt("")
    part = PdfWriter()
    part.append(reader)
    out = io.BytesIO()
    part.write(out)
    return out.getvalue()


def pdf_readable(data: bytes) -> bool:
    """Whether ``append_pdfs`` would include this PDF, so a caller can say so beforehand."""
    return pdf_page_count(data) is not None


def pdf_page_count(data: bytes) -> int | None:
    """How many pages ``append_pdfs`` would add for this PDF; None if it would leave it out."""
    try:
        return len(PdfReader(io.BytesIO(_readable(data))).pages)
    except Exception:  # noqa: BLE001 - whatever the reason, it cannot be appended
        return None


def append_pdfs(*, first: bytes, others: list[bytes], titles: list[str] | None = None) -> bytes:
    """``first`` followed by the pages of each of ``others``. The result keeps ``first``'s
    catalogue (structure tree, language, metadata), so it stays tagged; the appended pages
    are as tagged as their authors made them. A PDF that cannot be read is left out with a
    warning rather than losing the whole document. ``titles``, if given, name a bookmark for
    the start of each appended PDF."""
    if not others:
        return first
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(first)))
    for index, data in enumerate(others):
        try:
            clean = _readable(data)
        except Exception:  # noqa: BLE001 - any unreadable paper is skipped, whatever broke
            log.warning("Left out appended PDF %d: it could not be read", index + 1, exc_info=True)
            continue
        title = titles[index] if titles and index < len(titles) else None
        writer.append(PdfReader(io.BytesIO(clean)), outline_item=title)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
