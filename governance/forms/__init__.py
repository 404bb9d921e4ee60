"""Forms for meetings (meetings.py) and the registers (registers.py). They check what a form
can; the rules live in governance.services, whose errors land next to their field."""

from governance.forms.meetings import *  # noqa: F403
from governance.forms.registers import *  # noqa: F403
