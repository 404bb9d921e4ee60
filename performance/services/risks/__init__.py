"""Risk registers: categories, rating bands and the register itself (register.py), each
quarter's review by the risk owner (review.py), and appetite, escalation to the parent body and
its chair's acceptance (escalation.py). Each module's ``__all__`` says what it offers callers."""

from performance.services.risks.escalation import *  # noqa: F403
from performance.services.risks.register import *  # noqa: F403
from performance.services.risks.review import *  # noqa: F403
