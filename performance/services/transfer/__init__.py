"""Importing indicators and their targets from a CSV or Excel (.xlsx) file, and exporting them
in the same shape, so that a file exported and imported again changes nothing.

The file has a header row, then one row per indicator, matched to an existing indicator by its
code within the partnership (ignoring case; an existing code keeps its case). The columns, in
the order export writes them, are ``COLUMNS`` (shape.py) and then, for each financial year,
"Target 2025/26" (the whole year) and "Target 2025/26 Q1" to "Target 2025/26 Q4". Headers are
matched ignoring case, spaces and underscores; a column import does not know is ignored and the
preview says so.

What a blank cell or a missing column means:
- Code, title, owning body, unit, polarity and lead must be in the file (else nothing is read)
  and filled in on every row.
- Definition, outcome, baseline value, baseline period and data source: blank clears the field.
- Frequency, targets are, decimal places, tolerance kind, tolerance, margin for no change and
  published: blank leaves an existing indicator's value as it is and gives a new one the
  default, since "no value" is not a value these can have.
- A target column: blank means no target, so an existing target for that period is removed.
  A target column that is not in the file leaves that period's targets alone: a file carrying
  only this year's targets never removes last year's. (Removing is kept to what the file says
  explicitly, because a removed target changes every RAG rating measured against it.)
- Any other column left out of the file leaves that field alone (the default for a new one).

Nothing is saved unless every row is good: ``indicators_parse`` reads and checks the whole file
and says, for each row, whether it creates, changes or leaves alone an indicator and what
changes; ``indicators_import`` saves a clean preview in one transaction through the setup
services (so history and their checks come with it), writing nothing for what is unchanged.

CSV files are written as UTF-8 with a byte-order mark (so Excel shows £ and accents) and read
as UTF-8 or Windows-1252. A text cell beginning with = + - or @ is written with a leading
apostrophe, so a spreadsheet opening the file does not run it as a formula; import removes that
apostrophe again. In an Excel file such text is stored as text, which is already safe.
"""

from performance.services.transfer.export import indicators_export
from performance.services.transfer.preview import ImportPreview, indicators_parse
from performance.services.transfer.saving import (
    indicators_import,
    upload_discard,
    upload_keep,
    upload_kept,
)

# The file's shape, for views and tests that name this module (not for ``services.*``).
from performance.services.transfer.shape import COLUMNS as COLUMNS
from performance.services.transfer.shape import CSV_CONTENT_TYPE as CSV_CONTENT_TYPE
from performance.services.transfer.shape import MAX_ROWS as MAX_ROWS
from performance.services.transfer.shape import XLSX_CONTENT_TYPE as XLSX_CONTENT_TYPE
from performance.services.transfer.shape import RowError as RowError
from performance.services.transfer.shape import target_header as target_header

__all__ = [
    "ImportPreview",
    "indicators_export",
    "indicators_import",
    "indicators_parse",
    "upload_discard",
    "upload_keep",
    "upload_kept",
]
