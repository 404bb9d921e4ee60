"""Reports: building them from the data (common.py; exceptions.py for a thematic group's
exception report; board.py for the Partnership Board's six-monthly and annual reports and the
newsletter), the chair's approval and where a report goes (workflow.py), and rendering the PDF
(rendering.py). Each module's ``__all__`` says what it offers callers."""

from performance.services.reports.annual import *  # noqa: F403
from performance.services.reports.board import *  # noqa: F403
from performance.services.reports.common import *  # noqa: F403
from performance.services.reports.exceptions import *  # noqa: F403
from performance.services.reports.placement import *  # noqa: F403
from performance.services.reports.rendering import *  # noqa: F403
from performance.services.reports.workflow import *  # noqa: F403
