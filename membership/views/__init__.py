"""Pages about who sits where (bodies.py), elections (elections.py) and the partnership
agreement (agreement.py), and "Your tasks" (tasks.py)."""

from membership.views.agreement import *  # noqa: F403
from membership.views.bodies import *  # noqa: F403
from membership.views.election_board import *  # noqa: F403
from membership.views.election_officers import *  # noqa: F403
from membership.views.elections import *  # noqa: F403
from membership.views.security import *  # noqa: F403
from membership.views.tasks import *  # noqa: F403
from membership.views.training import *  # noqa: F403
from membership.views.two_factor import *  # noqa: F403
