"""Reads, and the one place that decides who sees what: of meetings (meetings.py) and of the
registers (registers.py). Callers use ``from governance import selectors``."""

from governance.selectors.meetings import *  # noqa: F403
from governance.selectors.registers import *  # noqa: F403
