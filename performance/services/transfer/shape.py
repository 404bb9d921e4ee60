"""The file's shape: its columns, how a header names them, and reading a CSV or Excel file
into rows of text. (The contract, blank cells included, is in the package's docstring.)"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from partnership.periods import financial_year_label
from performance.models import (
    WHOLE_YEAR,
    Frequency,
    Polarity,
    TargetKind,
    ToleranceKind,
    Unit,
)

MAX_ROWS = 2_000
# Physical rows read before giving up: spreadsheets carry empty formatted rows, but not forever.
MAX_SHEET_ROWS = 20 * MAX_ROWS
MAX_COLUMNS = 300
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    hint: str = ""


COLUMNS = [
    Column("code", "Code", required=True, hint="Up to 20 characters, unique in the partnership."),
    Column("title", "Title", required=True),
    Column("definition", "Definition"),
    Column(
        "body",
        "Owning body",
        required=True,
        aliases=("body",),
        hint="The body’s name, as on its page.",
    ),
    Column("outcome", "Outcome", hint="The outcome’s code, for example SC1. May be blank."),
    Column(
        "unit", "Unit", required=True, hint="number, percentage, rate_per_1000, currency or yes_no."
    ),
    Column("polarity", "Polarity", required=True, hint="higher or lower (which is better)."),
    Column("baseline_value", "Baseline value", aliases=("baseline",)),
    Column("baseline_period", "Baseline period", hint="For example 2024/25 or 2024/25 Q4."),
    Column("data_source", "Data source"),
    Column(
        "lead",
        "Lead",
        required=True,
        aliases=("lead e-mail", "lead email", "named lead"),
        hint="The lead’s e-mail address: someone in the partnership.",
    ),
    Column("frequency", "Frequency", hint="quarterly, six_monthly or annual."),
    Column("target_kind", "Targets are", aliases=("target kind",), hint="cumulative or point."),
    Column("decimal_places", "Decimal places", hint="0 to 4."),
    Column(
        "tolerance_kind", "Tolerance kind", aliases=("tolerance is",), hint="percent or absolute."
    ),
    Column("tolerance", "Tolerance", hint="How far off target is amber rather than red."),
    Column("travel_margin", "Margin for no change", aliases=("travel margin",)),
    Column("published", "Published", aliases=("published to the public",), hint="yes or no."),
]
CHOICES = {
    "unit": Unit,
    "polarity": Polarity,
    "frequency": Frequency,
    "target_kind": TargetKind,
    "tolerance_kind": ToleranceKind,
}
NOUNS = {
    "unit": "a unit",
    "polarity": "a polarity",
    "frequency": "a frequency",
    "target_kind": "a kind of target",
    "tolerance_kind": "a kind of tolerance",
}
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0"}
TARGET_HEADER = re.compile(r"^target (\d{4})[/-](\d{2})(?: q(\d))?$")


def _normal(header: str) -> str:
    return re.sub(r"[\s_]+", " ", header.strip().lower())


def target_header(year: int, quarter: int) -> str:
    label = financial_year_label(year)
    return f"Target {label}" if quarter == WHOLE_YEAR else f"Target {label} Q{quarter}"


@dataclass(frozen=True)
class RowError:
    row: int | None  # as the spreadsheet numbers it (the header is row 1); None: the whole file
    column: str
    reason: str

    def __str__(self) -> str:
        if self.row is None:
            return self.reason
        column = self.column[:1].lower() + self.column[1:]
        return f"Row {self.row}, {column}: {self.reason}"


class FileProblem(ValueError):
    pass


# --- reading the file ---------------------------------------------------------------------------


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        # Fifteen significant digits, as Excel shows them: 0.1 + 0.2 reads as 0.3.
        return format(value, ".15g")
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d")
    return str(value).strip()


def _read_csv(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FileProblem("The file is not a CSV file that can be read: save it as CSV UTF-8")
    try:
        rows = []
        for cells in csv.reader(io.StringIO(text, newline="")):
            if len(rows) > MAX_SHEET_ROWS:
                break
            rows.append([_unescape(c.strip()) for c in cells[:MAX_COLUMNS]])
        return rows
    except csv.Error as exc:
        raise FileProblem(f"The file is not a CSV file that can be read ({exc})") from exc


def _unescape(text: str) -> str:
    if text.startswith("'") and text[1:2] in FORMULA_START and text[1:2]:
        return text[1:]
    return text


def _read_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any failure to open is the same to the person
        raise FileProblem("The file is not an Excel workbook that can be read") from exc
    try:
        if not book.worksheets:
            return []
        rows = []
        # The first sheet: the one export writes, and the one a person puts first.
        for values in book.worksheets[0].iter_rows(values_only=True, max_col=MAX_COLUMNS):
            if len(rows) > MAX_SHEET_ROWS:
                break
            rows.append([_cell_text(v) for v in values])
        return rows
    finally:
        book.close()


def read_table(name: str, data: bytes) -> list[list[str]]:
    if PurePath(name).suffix.lower() == ".xlsx":
        return _read_xlsx(data)
    return _read_csv(data)


# --- the header row -----------------------------------------------------------------------------


@dataclass
class Layout:
    columns: dict[str, int] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)  # key to the header as in the file
    targets: list[tuple[int, tuple[int, int], str]] = field(default_factory=list)


def header_layout(
    header: list[str],
    *,
    errors: list[RowError],
    ignored: list[str],
    columns: list[Column] | None = None,
    targets: bool = True,
) -> Layout:
    """Where each column is; a problem that stops the file being read goes in ``errors``.
    ``columns`` are the file's known columns (the indicators' by default); ``targets`` says
    whether "Target 2025/26 Q1" columns belong in it (the indicators' file only)."""
    columns = COLUMNS if columns is None else columns
    known = {}
    for column in columns:
        for spelling in (column.header, column.key, *column.aliases):
            known[_normal(spelling)] = column
    layout, seen = Layout(), {}
    for index, text in enumerate(header):
        if not text:
            continue
        normal = _normal(text)
        if normal in seen:
            errors.append(RowError(None, text, f"The column ‘{text}’ is in the file twice"))
            continue
        seen[normal] = index
        if normal in known:
            layout.columns[known[normal].key] = index
            layout.headers[known[normal].key] = text
        elif targets and re.match(r"target \d", normal):
            period = _target_period(normal)
            if period is None:
                errors.append(
                    RowError(
                        None,
                        text,
                        f"The column ‘{text}’ is not a target column: name target columns "
                        "like ‘Target 2025/26’ for the whole year or ‘Target 2025/26 Q1’",
                    )
                )
            else:
                layout.targets.append((index, period, text))
        else:
            ignored.append(text)
    missing = [c.header for c in columns if c.required and c.key not in layout.columns]
    if missing:
        errors.append(
            RowError(
                None,
                "",
                f"The file has no {join_words(missing, 'or')} column: the header row (row 1) must "
                f"name at least {join_words([c.header for c in columns if c.required], 'and')}",
            )
        )
    return layout


def _target_period(normal: str) -> tuple[int, int] | None:
    match = TARGET_HEADER.match(normal)
    if not match:
        return None
    year, end, quarter = int(match[1]), int(match[2]), int(match[3] or WHOLE_YEAR)
    if end != (year + 1) % 100 or quarter > 4:
        return None
    return year, quarter


def join_words(words: list[str], last: str) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {last} {words[-1]}"


def plain_number(value: Decimal, places: int) -> Decimal:
    """``value`` to ``places`` decimal places, or more if it has them (so nothing is lost)."""
    exponent = value.normalize().as_tuple().exponent
    needed = max(places, -exponent if isinstance(exponent, int) and exponent < 0 else 0)
    return value.quantize(Decimal(1).scaleb(-needed))
