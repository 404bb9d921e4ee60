"""Meeting pages: the meeting and its agenda (meetings.py), what happened at it and its
minutes (record.py), the public record (public.py), and the registers of interests and
of gifts and hospitality (registers.py)."""

from governance.views.meetings import *  # noqa: F403
from governance.views.public import *  # noqa: F403
from governance.views.record import *  # noqa: F403
from governance.views.registers import *  # noqa: F403
