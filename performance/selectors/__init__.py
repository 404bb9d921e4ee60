"""Reads: returns, deadlines and figures (returns.py), the dashboards (dashboards.py), and who
may see which report (reports.py).
Callers use ``from performance import selectors``."""

from performance.selectors.dashboards import *  # noqa: F403
from performance.selectors.reports import *  # noqa: F403
from performance.selectors.returns import *  # noqa: F403
from performance.selectors.risk_summary import *  # noqa: F403
from performance.selectors.risks import *  # noqa: F403
