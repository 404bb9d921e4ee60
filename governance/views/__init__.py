"""Governance pages: the meeting and its agenda (meetings.py), what happened at it and its
minutes (record.py), the public record (public.py), a member's own register entries
(registers.py), and a body's registers with its rulings, disputes and exports
(body_registers.py); the document library, papers' earlier versions and supplementary papers
(library.py)."""

from governance.views.body_registers import *  # noqa: F403
from governance.views.library import *  # noqa: F403
from governance.views.meetings import *  # noqa: F403
from governance.views.public import *  # noqa: F403
from governance.views.record import *  # noqa: F403
from governance.views.registers import *  # noqa: F403
