"""Writes about meetings (meetings.py), their papers (papers.py), what happened at them
(record.py) and their minutes (minutes.py), and the registers (registers.py). Callers use
``from governance import services`` and ``services.<entity>_<action>``."""

from governance.services.meetings import *  # noqa: F403
from governance.services.minutes import *  # noqa: F403
from governance.services.papers import *  # noqa: F403
from governance.services.record import *  # noqa: F403
from governance.services.registers import *  # noqa: F403
