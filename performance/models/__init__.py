"""Performance models: outcomes and delivery plans (plans.py), indicators, targets and return
deadlines (indicators.py), and quarterly returns with their sign-off and chasing (returns.py)."""

from performance.models.indicators import *  # noqa: F403
from performance.models.plans import *  # noqa: F403
from performance.models.returns import *  # noqa: F403
