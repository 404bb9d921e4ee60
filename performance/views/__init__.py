"""Performance pages: dashboards, an indicator's page and open data (dashboards.py); setting
up outcomes, plans, indicators, targets and deadlines (setup.py); importing and exporting
(transfer.py); returns with their sign-off (returns.py); reports, their approval, the Partnership
Board's reports and the public's publications (reports/); the key partnerships register and
commissioning agreements (partnerships/)."""

from performance.views.dashboards import *  # noqa: F403
from performance.views.partnerships import *  # noqa: F403
from performance.views.reports import *  # noqa: F403
from performance.views.returns import *  # noqa: F403
from performance.views.risks import *  # noqa: F403
from performance.views.setup import *  # noqa: F403
from performance.views.transfer import *  # noqa: F403
