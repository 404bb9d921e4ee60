"""Fixtures for every governance test: papers and rendered PDFs are written to the test's own
temporary folder, never to var/private."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import pytest
from django.utils.html import escape
from weasyprint import HTML

from governance.models import private_storage

# FileSystemStorage caches its resolved location the first time it is used.
_CACHED = ("base_location", "location")


def _forget_location() -> None:
    for name in _CACHED:
        private_storage.__dict__.pop(name, None)


@pytest.fixture(autouse=True)
def private_media(tmp_path, monkeypatch):
    folder = tmp_path / "private"
    monkeypatch.setattr(private_storage, "_location", str(folder))
    _forget_location()
    yield folder
    # Forget the temporary folder before monkeypatch puts the real location back.
    _forget_location()


def _pdf_with_text(text: str) -> bytes:
    return HTML(string=f'<html lang="en-GB"><p>{escape(text)}</p></html>').write_pdf()


@pytest.fixture
def make_pdf() -> Callable[[str], bytes]:
    """Makes a small, valid, one-page PDF whose text pypdf can read back."""
    return _pdf_with_text


@pytest.fixture
def docx() -> bytes:
    """Just enough of a Word document for the upload check to accept it."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document>Word words</w:document>")
    return out.getvalue()
