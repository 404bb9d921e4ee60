"""Who may do what with outcomes, indicators and returns, asked of ``partnership.permissions``.

- Co-ordinators of a body (or of the whole partnership) set up its outcomes, plans,
  indicators, targets and deadlines.
- An indicator's named lead, or the colleague a return is delegated to, writes its return.
- The owning body's co-ordinators and chair (or deputy) sign returns off or send them back;
  never one they submitted themselves (the service and a database constraint refuse it).
- Members of the owning body, its co-ordinators, its chair and the lead read its indicators and
  returns in full ("insiders"); everyone else sees only published indicators, and only their
  signed-off figures.
"""

from __future__ import annotations

from typing import Any

from partnership import permissions as perms
from partnership.models import Body
from performance.models import Indicator, Return


def can_manage_performance(user: Any, body: Body) -> bool:
    return perms.can_manage_body(user, body)


def can_sign_off(user: Any, body: Body) -> bool:
    return perms.can_manage_body(user, body) or perms.can_chair_body(user, body)


def is_insider(user: Any, indicator: Indicator) -> bool:
    """Reads the indicator's returns in full: drafts aside, every submitted figure."""
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        indicator.lead_id == user.pk
        or perms.can_view_private_body(user, indicator.body)
        or perms.can_chair_body(user, indicator.body)
    )


def can_see_indicator(user: Any, indicator: Indicator) -> bool:
    return indicator.published or is_insider(user, indicator)


def can_write_return(user: Any, indicator: Indicator, ret: Return | None) -> bool:
    """The named lead, or the colleague this period's return is delegated to."""
    if not getattr(user, "is_authenticated", False):
        return False
    return indicator.lead_id == user.pk or (ret is not None and ret.delegate_id == user.pk)
