"""Performance models: outcomes and delivery plans (plans.py), indicators, targets and return
deadlines (indicators.py), quarterly returns with their sign-off and chasing (returns.py), and
the reports built from them (reports.py), and risk registers (risks.py) with what their
chasing has told (risk_chasing.py), the register of key partnerships with their reviews
(partnerships.py) and commissioning agreements (agreements.py)."""

from performance.models.agreements import *  # noqa: F403
from performance.models.indicators import *  # noqa: F403
from performance.models.partnerships import *  # noqa: F403
from performance.models.plans import *  # noqa: F403
from performance.models.reports import *  # noqa: F403
from performance.models.returns import *  # noqa: F403
from performance.models.risk_chasing import *  # noqa: F403
from performance.models.risks import *  # noqa: F403
