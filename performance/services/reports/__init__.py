"""Reports: building them from the data (common.py; exceptions.py for a thematic group's
exception report; board.py for the Partnership Board's six-monthly and annual reports and the
newsletter; key_partnerships.py for the twice-yearly key partnerships report), the approval
and where a report goes (workflow.py), and rendering the PDF (rendering.py). A register as a
report (risk_register.py, key_partnership_register.py) is imported from its module. Each
module's ``__all__`` says what it offers callers."""

from performance.services.reports.annual import *  # noqa: F403
from performance.services.reports.board import *  # noqa: F403
from performance.services.reports.common import *  # noqa: F403
from performance.services.reports.exceptions import *  # noqa: F403
from performance.services.reports.key_partnerships import *  # noqa: F403
from performance.services.reports.placement import *  # noqa: F403
from performance.services.reports.rendering import *  # noqa: F403
from performance.services.reports.workflow import *  # noqa: F403
