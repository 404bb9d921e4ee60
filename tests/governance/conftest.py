"""Documents for the governance tests. (tests/conftest.py sends their files to a temporary
folder.)"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import pytest

from tests.governance.helpers import pdf_bytes


@pytest.fixture
def make_pdf() -> Callable[[str], bytes]:
    """Makes a small, valid, one-page PDF whose text pypdf can read back."""
    return pdf_bytes


@pytest.fixture
def docx() -> bytes:
    """Just enough of a Word document for the upload check to accept it."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document>Word words</w:document>")
    return out.getvalue()
