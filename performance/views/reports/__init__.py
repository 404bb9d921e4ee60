"""Reports' pages: the list, a report's page and its narrative (pages.py); submitting, the
chair's decision, rebuilding and drafting (steps.py); the PDF and its progress (pdf.py); the
Partnership Board's reports, meetings and publishing (board.py); the public's publications and
feed (publications.py). Shared fetching and authorising is common.py.

Building, approving, placing and publishing are the services' (performance.services.reports);
these views fetch and authorise, read the form, call the service and say what happened."""

from performance.views.reports.board import *  # noqa: F403
from performance.views.reports.key_partnerships import *  # noqa: F403
from performance.views.reports.pages import *  # noqa: F403
from performance.views.reports.pdf import *  # noqa: F403
from performance.views.reports.publications import *  # noqa: F403
from performance.views.reports.steps import *  # noqa: F403
