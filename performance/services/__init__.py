"""Writes: setting up outcomes, plans, indicators, targets and deadlines (setup.py), returns and
their sign-off (returns.py), importing and exporting indicators (transfer/), the daily digest
chasing returns, risk reviews and overdue controls (chasing/), reports (reports/) and risk
registers (risks/). Callers use ``from performance import services``."""

from performance.services.chasing import *  # noqa: F403
from performance.services.reports import *  # noqa: F403
from performance.services.returns import *  # noqa: F403
from performance.services.risks import *  # noqa: F403
from performance.services.setup import *  # noqa: F403
from performance.services.transfer import *  # noqa: F403
