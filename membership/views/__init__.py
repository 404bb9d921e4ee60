"""Pages about who sits where (bodies.py) and elections (elections.py)."""

from membership.views.bodies import *  # noqa: F403
from membership.views.elections import *  # noqa: F403
