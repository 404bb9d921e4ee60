"""Writes about people and their places (memberships.py), elections (elections.py) and the
partnership agreement (agreement.py).

Callers use ``from membership import services`` and ``services.<entity>_<action>``."""

from membership.services.agreement import *  # noqa: F403
from membership.services.elections import *  # noqa: F403
from membership.services.memberships import *  # noqa: F403
