"""Governance models: meetings and their record (meetings.py), the document library and the
earlier versions of papers (library.py), the registers of interests and of gifts and
hospitality (registers.py), and proposals for new sub-groups (proposals.py)."""

from governance.models.library import *  # noqa: F403
from governance.models.meetings import *  # noqa: F403
from governance.models.meetings import paper_path, private_files, private_storage  # noqa: F401
from governance.models.proposals import *  # noqa: F403
from governance.models.registers import *  # noqa: F403
