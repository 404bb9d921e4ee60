"""Writes about people and their places (memberships.py), elections (elections.py), the
partnership agreement (agreement.py), the weekly reminder to co-ordinators (reminders.py) and
the second factor (two_factor.py).

Callers use ``from membership import services`` and ``services.<entity>_<action>``."""

from membership.services.agreement import *  # noqa: F403
from membership.services.election_count import *  # noqa: F403
from membership.services.elections import *  # noqa: F403
from membership.services.memberships import *  # noqa: F403
from membership.services.reminders import *  # noqa: F403
from membership.services.training import *  # noqa: F403
from membership.services.two_factor import *  # noqa: F403
