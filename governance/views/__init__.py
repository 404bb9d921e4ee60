"""Meeting pages: the meeting and its agenda (meetings.py), what happened at it and its
minutes (record.py), and the public record (public.py)."""

from governance.views.meetings import *  # noqa: F403
from governance.views.public import *  # noqa: F403
from governance.views.record import *  # noqa: F403
