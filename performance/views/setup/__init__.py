"""Setting up performance management: outcomes and their delivery plans (outcomes.py), and
indicators, targets and return deadlines (indicators.py); their shared helpers (common.py)."""

from performance.views.setup.indicators import (
    deadlines_edit,
    indicator_create,
    indicator_edit,
    targets_edit,
)
from performance.views.setup.outcomes import (
    outcome_create,
    outcome_detail,
    outcome_edit,
    outcome_list,
    plan_action_create,
    plan_action_edit,
)

__all__ = [
    "outcome_list",
    "outcome_create",
    "outcome_detail",
    "outcome_edit",
    "plan_action_create",
    "plan_action_edit",
    "indicator_create",
    "indicator_edit",
    "targets_edit",
    "deadlines_edit",
]
