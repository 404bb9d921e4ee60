"""The register of key partnerships (register.py: the list, a record, adding, changing, ending,
the memorandum, settings, exports) with their reviews (reviews.py), and commissioning
agreements (agreements.py)."""

from performance.views.partnerships.agreements import *  # noqa: F403
from performance.views.partnerships.register import *  # noqa: F403
from performance.views.partnerships.reviews import *  # noqa: F403
