"""Reads: returns, deadlines and figures (returns.py), and the dashboards (dashboards.py).
Callers use ``from performance import selectors``."""

from performance.selectors.dashboards import *  # noqa: F403
from performance.selectors.returns import *  # noqa: F403
