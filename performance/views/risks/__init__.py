"""Risk registers' pages: a body's register and the partnership's, the heat map, a risk's page
(pages.py); creating, editing, closing, reviewing and accepting a risk, its controls, a body's
appetite and the partnership's settings (steps.py); exports, import and the PDF (transfer.py);
the public's summary (public.py). Fetching and authorising is common.py."""

from performance.views.risks.pages import *  # noqa: F403
from performance.views.risks.public import *  # noqa: F403
from performance.views.risks.steps import *  # noqa: F403
from performance.views.risks.transfer import *  # noqa: F403
