"""Settings for `make bench` only: production's, plus the reference pages and a query counter.

Never used by the site itself: the reference views (F0, L0) and the counter exist only here, so
production URLs are unchanged. Debug is off as in production; the secret is a throwaway and
the server listens on 127.0.0.1 over plain HTTP, so the HTTPS redirect is off.
"""

import os
import warnings

os.environ.setdefault("DJANGO_SECRET_KEY", "bench-throwaway-secret-not-for-any-real-site")
os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "false"

from partnership.settings import *  # noqa: E402, F403
from partnership.settings import BASE_DIR, MIDDLEWARE, TEMPLATES  # noqa: E402

ROOT_URLCONF = "benchmarks.urls"
ALLOWED_HOSTS = ["127.0.0.1"]
SECURE_SSL_REDIRECT = False
# First, so the session's and the user's queries are counted with the page's own.
MIDDLEWARE = ["benchmarks.reference.QueryCountMiddleware", *MIDDLEWARE]
TEMPLATES = [
    {**TEMPLATES[0], "DIRS": [*TEMPLATES[0]["DIRS"], BASE_DIR / "benchmarks" / "templates"]}
]
# Static files are served through the finders (no collectstatic): whitenoise says so once a
# worker; not news here.
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
