"""Writing indicators and their targets as a CSV or Excel file, in the shape import reads."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet

from performance.models import (
    WHOLE_YEAR,
    Indicator,
    Target,
)
from performance.services.transfer.shape import COLUMNS, FORMULA_START, plain_number, target_header


def _number(value: Decimal | None, places: int) -> tuple[Decimal, int] | None:
    """A figure for the file, with the decimal places it is shown to."""
    if value is None:
        return None
    plain = plain_number(value, places)
    exponent = plain.as_tuple().exponent
    return plain, -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _export_rows(indicators: list[Indicator], years: list[int]) -> list[list[Any]]:
    """Cells: text as str, figures as (Decimal, places), None for nothing."""
    rows = []
    for i in indicators:
        targets = {(t.year, t.quarter): t.value for t in i.targets.all()}

        def figure(value: Decimal | None, places: int = i.decimal_places):
            return _number(value, places)

        rows.append(
            [
                i.code,
                i.title,
                i.definition,
                i.body.name,
                i.outcome.code if i.outcome else "",
                i.unit,
                i.polarity,
                figure(i.baseline_value),
                i.baseline_period,
                i.data_source,
                i.lead.email,
                i.frequency,
                i.target_kind,
                (Decimal(i.decimal_places), 0),
                i.tolerance_kind,
                figure(i.tolerance, 0),
                figure(i.travel_margin, 0),
                "yes" if i.published else "no",
                *(
                    figure(targets.get((year, quarter)))
                    for year in years
                    for quarter in (WHOLE_YEAR, 1, 2, 3, 4)
                ),
            ]
        )
    return rows


def indicators_export(*, indicators: Iterable[Indicator], file_format: str = "csv") -> bytes:
    """The indicators and their targets as a CSV or Excel file in the shape import reads: a
    column for every financial year in which any of them has a target. Two queries."""
    if file_format not in ("csv", "xlsx"):
        raise ValueError(f"Cannot export as {file_format!r}: use csv or xlsx")
    if isinstance(indicators, QuerySet):
        found = indicators
    else:
        found = Indicator.objects.filter(pk__in=[i.pk for i in indicators])
    found = list(
        found.select_related("body", "outcome", "lead")
        .prefetch_related(Prefetch("targets", queryset=Target.objects.order_by()))
        .order_by("code", "pk")
    )
    years = sorted({t.year for i in found for t in i.targets.all()})
    header = [c.header for c in COLUMNS] + [
        target_header(year, quarter) for year in years for quarter in (WHOLE_YEAR, 1, 2, 3, 4)
    ]
    rows = _export_rows(found, years)
    if file_format == "xlsx":
        return write_xlsx([("Indicators", header, rows)])
    return write_csv(header, rows)


# The writers are shared with the risk register's export (services/risks/transfer.py): cells
# are text (str), figures ((Decimal, places)) or None.


def write_csv(header: list[str], rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for cells in rows:
        writer.writerow([_csv_cell(c) for c in cells])
    return out.getvalue().encode("utf-8-sig")


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple):
        return format(value[0], "f")
    return f"'{value}" if value.startswith(FORMULA_START) else value


def write_xlsx(sheets: list[tuple[str, list[str], list[list[Any]]]]) -> bytes:
    """A workbook of (title, header, rows) sheets, in order: import reads the first."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for title, header, rows in sheets:
        _write_sheet(book, title, header, rows)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _write_sheet(book: Any, title: str, header: list[str], rows: list[list[Any]]) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    sheet = book.create_sheet(title)
    sheet.freeze_panes = "B2"
    bold = Font(bold=True)
    heading = []
    for text in header:
        c = WriteOnlyCell(sheet, value=text)
        c.font = bold
        heading.append(c)
    sheet.append(heading)
    for cells in rows:
        line = []
        for value in cells:
            if isinstance(value, tuple):
                number, places = value
                c = WriteOnlyCell(sheet, value=number)
                c.number_format = "0" if places == 0 else "0." + "0" * places
            else:
                c = WriteOnlyCell(sheet, value=value)
                # Text stays text: openpyxl would otherwise store "=..." as a formula.
                if value:
                    c.data_type = "s"
            line.append(c)
        sheet.append(line)
