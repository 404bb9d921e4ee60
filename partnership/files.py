"""What an uploaded file really is, judged by its content, and the words in it for search.

A name can say anything: a paper is accepted only when its bytes are a PDF, an Office Open XML
or OpenDocument package of the right kind, or a legacy Office compound file, and its name's
extension agrees. Nothing here runs macros or follows links inside the file.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.db.models import TextChoices
from django.template.defaultfilters import filesizeformat


class FileType(TextChoices):
    PDF = "pdf", "PDF"
    DOCX = "docx", "Word"
    DOC = "doc", "Word 97-2003"
    XLSX = "xlsx", "Excel"
    XLS = "xls", "Excel 97-2003"
    ODT = "odt", "OpenDocument text"
    ODS = "ods", "OpenDocument spreadsheet"


OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODF_MIMETYPES = {
    b"application/vnd.oasis.opendocument.text": FileType.ODT,
    b"application/vnd.oasis.opendocument.spreadsheet": FileType.ODS,
}
# The part that tells Word from Excel inside an Office Open XML package.
OOXML_MAIN_PARTS = {"word/document.xml": FileType.DOCX, "xl/workbook.xml": FileType.XLSX}
EXTENSIONS = {
    FileType.PDF: {".pdf"},
    FileType.DOCX: {".docx"},
    FileType.XLSX: {".xlsx"},
    FileType.ODT: {".odt"},
    FileType.ODS: {".ods"},
    FileType.DOC: {".doc"},
    FileType.XLS: {".xls"},
}
ACCEPTED = "a PDF, Word (.docx, .doc), Excel (.xlsx, .xls) or OpenDocument (.odt, .ods) file"
# Comma-separated values: never a paper, so not a FileType; accepted only where a caller asks
# for it (importing indicators). Plain text has no signature, so it is judged by being text.
CSV = "csv"
CSV_EXTENSIONS = {".csv"}
# A zip that expands to more than this is refused rather than read (a "zip bomb").
MAX_UNPACKED = 200 * 1024 * 1024


class RejectedFile(ValueError):
    """The upload is not acceptable; the message says why, in words for the person."""


@dataclass(frozen=True)
class CheckedFile:
    file_type: str
    size: int
    name: str


def _sniff_zip(head: bytes, data: io.BytesIO) -> str | None:
    try:
        with zipfile.ZipFile(data) as archive:
            names = set(archive.namelist())
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED:
                raise RejectedFile("The file expands to more than we can safely open.")
            if "mimetype" in names:
                return ODF_MIMETYPES.get(archive.read("mimetype").strip())
            if "[Content_Types].xml" in names:
                for part, file_type in OOXML_MAIN_PARTS.items():
                    if part in names:
                        return file_type
    except zipfile.BadZipFile:
        return None
    return None


def sniff(data: bytes) -> str | None:
    """The file type the content shows, or None."""
    if data.startswith(b"%PDF-"):
        return FileType.PDF
    if data.startswith(OLE2_MAGIC):
        # Word and Excel 97-2003 share a container; the extension says which, and both are
        # accepted, so the extension check below is what tells them apart.
        return "ole2"
    if data.startswith(b"PK\x03\x04"):
        return _sniff_zip(data[:4], io.BytesIO(data))
    return None


def _is_text(data: bytes) -> bool:
    """Whether the bytes read as text, as a spreadsheet program saves a CSV file: UTF-8 (with
    or without a byte-order mark) or Windows-1252, and no NUL bytes (binary files have them)."""
    if b"\x00" in data:
        return False
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return True
    return False


def check_upload(
    *,
    name: str,
    data: bytes,
    accept: Collection[str] | None = None,
    described: str = ACCEPTED,
    max_bytes: int | None = None,
) -> CheckedFile:
    """Accept the file or raise RejectedFile with the reason.

    By default any paper type is accepted. ``accept`` narrows that to some file types (and
    may add ``CSV``), ``described`` names them for the person ("a CSV or Excel (.xlsx) file"),
    and ``max_bytes`` sets a lower size limit than a paper's."""
    limit = max_bytes or settings.PAPER_MAX_BYTES
    if not data:
        raise RejectedFile("The selected file is empty.")
    if len(data) > limit:
        raise RejectedFile(f"The selected file must be smaller than {filesizeformat(limit)}.")
    extension = PurePath(name).suffix.lower()
    found = sniff(data)
    if found == "ole2":
        found = {".doc": FileType.DOC, ".xls": FileType.XLS}.get(extension)
        if found is None:
            raise RejectedFile(f"The selected file must be {described}.")
    if found is None and accept is not None and CSV in accept and extension in CSV_EXTENSIONS:
        found = CSV if _is_text(data) else None
    if found is None:
        raise RejectedFile(
            f"The selected file must be {described}. Its content is not one of these, "
            "whatever its name says."
        )
    if accept is not None and found not in accept:
        raise RejectedFile(f"The selected file must be {described}.")
    if found != CSV and extension not in EXTENSIONS[found]:
        label = FileType(found).label
        raise RejectedFile(
            f"The selected file is a {label} file but its name ends in "
            f"‘{extension or 'nothing'}’. Rename it to end in "
            f"‘{sorted(EXTENSIONS[found])[0]}’ and upload it again."
        )
    safe_name = re.sub(r"[^\w.\- ()]", "_", PurePath(name).name)[:200]
    return CheckedFile(file_type=found, size=len(data), name=safe_name)


# --- words, for search ----------------------------------------------------------------------

_TAGS = re.compile(rb"<[^>]+>")
TEXT_PARTS = {
    FileType.DOCX: ["word/document.xml"],
    FileType.XLSX: ["xl/sharedStrings.xml"],
    FileType.ODT: ["content.xml"],
    FileType.ODS: ["content.xml"],
}
MAX_TEXT = 200_000


def extract_text(*, file_type: str, data: bytes) -> str:
    """The words in a paper, best effort: a paper whose text cannot be read is still a paper."""
    try:
        if file_type == FileType.PDF:
            from pypdf import PdfReader

            reader = PdfReader(io.BytesIO(data))
            text = "\n".join((page.extract_text() or "") for page in reader.pages[:200])
        elif file_type in TEXT_PARTS:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
                raw = b" ".join(
                    _TAGS.sub(b" ", archive.read(part))
                    for part in TEXT_PARTS[file_type]
                    if part in names
                )
            text = raw.decode("utf-8", "replace")
        else:
            return ""
    except Exception:  # noqa: BLE001 - an unreadable paper only loses its search words
        return ""
    return " ".join(text.split())[:MAX_TEXT]
