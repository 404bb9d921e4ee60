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


# --- what a file may not carry ----------------------------------------------------------------
#
# A paper is read by every member of a body: a file that can run something when opened is
# refused, with the reason, whatever else is in it. PDFs are walked object by object with pypdf
# (names are decoded, so ``/J#61vaScript`` is still JavaScript, and objects packed in compressed
# object streams are reached too); Office and OpenDocument packages by their parts.

# Actions that run something, open another file or send data when the file is opened or a page
# shown (a plain link the reader clicks, ``/URI`` in a link annotation, is allowed).
RISKY_ACTIONS = {
    "/JavaScript": "JavaScript",
    "/Launch": "an action that starts a program",
    "/SubmitForm": "an action that sends data",
    "/ImportData": "an action that loads data",
    "/GoToR": "an action that opens another file",
    "/GoToE": "an action that opens an embedded file",
    "/URI": "an action that opens a web address by itself",
    "/Rendition": "an action that plays media",
}
AUTOMATIC = {"/OpenAction", "/AA"}
MAX_PDF_OBJECTS = 500_000
RESAVE = (
    " Save it again without it (for example, print it to PDF or export it from the program "
    "that made it) and upload it again."
)


def _action_kind(action) -> str | None:
    """What an action dictionary does, if it is one we refuse."""
    try:
        kind = action.get("/S")
    except AttributeError:
        return None
    return RISKY_ACTIONS.get(str(kind)) if kind is not None else None


def pdf_active_content(data: bytes) -> str | None:
    """What a PDF carries that could run or fetch something, in words ("JavaScript"), or
    None. A PDF pypdf cannot open at all is left to the sniffing that called this."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            return "a password that stops it being checked"
        stack = [reader.trailer]
    except (DependencyError, FileNotDecryptedError):
        return "encryption that stops it being checked"
    except (PdfReadError, ValueError, KeyError, TypeError, NotImplementedError):
        return None
    # Only what can hold something is walked (numbers and names, most of a tagged PDF's
    # structure tree and widths, are not), so a long accessible paper is quick to check.
    CONTAINERS = (DictionaryObject, ArrayObject, IndirectObject)
    seen: set[tuple[int, int]] = set()
    visited = 0
    while stack:
        visited += 1
        if visited > MAX_PDF_OBJECTS:
            return "more objects than we can safely check"
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            ref = (obj.idnum, obj.generation)
            if ref in seen:
                continue
            seen.add(ref)
            try:
                obj = obj.get_object()
            except (DependencyError, FileNotDecryptedError):
                return "encryption that stops it being checked"
            except Exception:  # noqa: BLE001, S112 - a dangling reference carries nothing
                continue
        if isinstance(obj, DictionaryObject):
            keys = {str(k) for k in obj}
            if keys & {"/JS", "/JavaScript"}:
                return "JavaScript"
            if keys & {"/EmbeddedFiles", "/EF"} or str(obj.get("/Subtype")) == "/FileAttachment":
                return "an embedded file"
            if "/XFA" in keys:
                return "an XFA form"
            kind = _action_kind(obj)
            if kind and kind != RISKY_ACTIONS["/URI"]:
                return kind  # anywhere: a link that starts a program is no better
            for trigger in keys & AUTOMATIC:
                actions = obj[trigger]
                actions = actions.get_object() if isinstance(actions, IndirectObject) else actions
                candidates = (
                    actions.values()
                    if str(trigger) == "/AA" and hasattr(actions, "values")
                    else [actions]
                )
                for action in candidates:
                    action = action.get_object() if isinstance(action, IndirectObject) else action
                    if found := _action_kind(action):
                        return found
            stack.extend(v for v in obj.values() if isinstance(v, CONTAINERS))
        elif isinstance(obj, ArrayObject):
            stack.extend(v for v in obj if isinstance(v, CONTAINERS))
    return None


MACRO_PARTS = ("vbaProject.bin", "vbaData.xml")
ODF_MACRO_FOLDERS = ("Basic/", "Scripts/")
OLE2_MACRO_NAMES = ("_VBA_PROJECT", "Macros")


def _zip_has_macros(names: set[str]) -> bool:
    return any(n.endswith(MACRO_PARTS) for n in names) or any(
        n.startswith(ODF_MACRO_FOLDERS) for n in names
    )


def _ole2_has_macros(data: bytes) -> bool:
    # Storage names in a compound file's directory are UTF-16: a VBA project is a storage.
    return any(name.encode("utf-16-le") in data for name in OLE2_MACRO_NAMES)


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
            if _zip_has_macros(names):
                raise RejectedFile("The selected file contains macros." + RESAVE)
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
        if _ole2_has_macros(data):
            raise RejectedFile("The selected file contains macros." + RESAVE)
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
    if found == FileType.PDF and (carried := pdf_active_content(data)):
        raise RejectedFile(f"The selected PDF contains {carried}." + RESAVE)
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
