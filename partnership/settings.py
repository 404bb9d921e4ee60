"""Settings for Partnership, read from the environment (see .env.example).

The same module serves development, tests and production: only the environment differs.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from partnership.env import env_bool, env_int, env_list, env_str, load_env_file

BASE_DIR = Path(__file__).resolve().parent.parent
# `make install` writes .env with DJANGO_DEBUG=true for a developer's machine.
load_env_file(os.environ.get("PARTNERSHIP_ENV_FILE", str(BASE_DIR / ".env")))
VAR_DIR = Path(env_str("PARTNERSHIP_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off. "
            "Set DJANGO_DEBUG=true for local development."
        )
    # Only ever used with debug on, on a developer's own machine.
    SECRET_KEY = "insecure-local-development-key-not-for-production"  # noqa: S105

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "guardian",
    "simple_history",
    "axes",
    "csp",
    # The second factor: authenticator apps (TOTP), their throttling and replay protection.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "partnership",
    "membership",
    "governance",
    "performance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy (django-csp), then Permissions-Policy and no-store for signed-in
    # responses (partnership/security.py).
    "csp.middleware.CSPMiddleware",
    "partnership.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Refuses a request over its route's size before anything reads its body.
    "partnership.uploads.RequestSizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Ends a session idle for SESSION_IDLE_MINUTES or older than SESSION_MAX_HOURS (and says so).
    "partnership.sessions.SessionTimeoutMiddleware",
    # A signed-in person who has not yet given their second factor sees only the pages that
    # ask for it (membership/middleware.py).
    "membership.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last: turns django-axes's refusal of a locked-out account into its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "partnership.urls"
WSGI_APPLICATION = "partnership.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "partnership.context.navigation",
            ],
            "string_if_invalid": env_str("DJANGO_TEMPLATE_STRING_IF_INVALID", ""),
        },
    }
]

# Widgets render from our templates/ too (the GOV.UK date input is one).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'partnership.sqlite3'}"),
        # Production keeps connections open between requests: opening one per request made
        # every page several times slower. Health checks drop a connection that died.
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", default=0 if DEBUG else 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # An unreachable server (packets dropped) fails in seconds, so the person sees the 503
    # page rather than a proxy's timeout.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
    # No JIT compiling: a page's queries run in milliseconds, and PostgreSQL's cost guess
    # for a register's correlated checks set JIT going at 10x data, adding 100-180 ms of
    # compiling to a 20 ms query (make bench). Sent as a connection option, which replaces
    # PGOPTIONS, so that is kept in it; PGOPTIONS or ?options= in DATABASE_URL naming jit
    # win, and DATABASE_JIT_OFF=false sends nothing (for a pooler that refuses options).
    _pg_options = os.environ.get("PGOPTIONS", "")
    if (
        env_bool("DATABASE_JIT_OFF", default=True)
        and "options" not in DATABASES["default"]["OPTIONS"]
        and "jit" not in _pg_options
    ):
        DATABASES["default"]["OPTIONS"]["options"] = f"{_pg_options} -c jit=off".strip()
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share the file: wait for a lock rather than fail at once. Tests
    # use a file too, so a Celery worker thread and the test can both reach it.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "membership.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a sign-in to an account locked out for wrong passwords, even the right one.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Throttling (partnership/throttle.py): the fifth wrong password for one account in 15 minutes
# locks it out for 15 minutes (the sixth try is refused, the right password too), whether or
# not the account exists (the page is the same); the count is by account, not address, so
# one office behind one address is not locked out by a colleague. Requests by address are
# limited in partnership/throttle.py.
AXES_FAILURE_LIMIT = env_int("SIGN_IN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("SIGN_IN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
# A try while locked out does not restart the 15 minutes: "wait, then try again" holds, and
# nobody can keep a named account locked with one request every quarter of an hour.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Successful sign-ins are not logged with their address and browser: history records what
# people change; failures are kept only while they count.
AXES_DISABLE_ACCESS_LOG = True
AXES_USERNAME_CALLABLE = "partnership.throttle.sign_in_username"
AXES_CLIENT_IP_CALLABLE = "partnership.throttle.client_ip"
AXES_LOCKOUT_CALLABLE = "partnership.throttle.locked_out"
AXES_VERBOSE = False
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    # Words of this service and its partnerships (ASVS 5.0, 6.2.11): no composition rules.
    {"NAME": "partnership.passwords.ContextWordsValidator"},
]
# Refused inside a password, besides every partnership's and organisation's name.
PASSWORD_CONTEXT_WORDS = env_list(
    "PASSWORD_CONTEXT_WORDS", default=["partnership", "password", "governance"]
)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "account:tasks"
LOGOUT_REDIRECT_URL = "home"

# Object permissions are read through partnership.permissions only; guardian's anonymous
# user is not created because the public's rights are "what is published", not rows.
GUARDIAN_MONKEY_PATCH_USER = False
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False
GUARDIAN_AUTO_PREFETCH = False

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "d/m/Y"
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d %m %Y"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static" / "build",
    ("js", BASE_DIR / "static" / "js"),
    ("govuk", BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"),
]
# Serve from the app and build folders until `collectstatic` has been run (e.g. `make run`).
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
# Meeting papers and rendered PDFs: never served from disk, only through views that check
# who is asking. Uploads larger than PAPER_MAX_BYTES are refused with a message on the form.
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private")))
PAPER_MAX_BYTES = env_int("PAPER_MAX_BYTES", default=20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Performance returns for a quarter are due this many working days after it ends, unless a
# body's co-ordinator sets another deadline for that quarter.
PERFORMANCE_RETURN_WORKING_DAYS = env_int("PERFORMANCE_RETURN_WORKING_DAYS", default=15)

# E-mail: the console locally, SMTP when EMAIL_HOST is set.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if env_str("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
# Seconds an SMTP connection may block: a job sending alerts holds a database transaction
# across each send (partnership/alerts.py), so a hung mail server must not hold it for long.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Partnership <no-reply@partnership.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where links in e-mails point.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Security: secure by default; local development over plain HTTP turns these off with debug.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
SESSION_COOKIE_HTTPONLY = True
# With HTTPS, cookies bound to this host alone: a "__Host-" cookie is refused by browsers
# unless it is Secure, for the path / and for no other domain.
SESSION_COOKIE_NAME = "__Host-sessionid" if SESSION_COOKIE_SECURE else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if CSRF_COOKIE_SECURE else "csrftoken"
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Only the site's own files; no inline script or style anywhere (the templates have none), no
# plugins, no framing, forms post only here, no <base>. Breaches are reported and logged
# (partnership/security.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "report-uri": "/csp-report/",
    }
}
# A signed-in session ends after this long without a request, and this long after signing in
# however active (partnership/sessions.py); the cookie expires at the latter.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", default=30)
SESSION_MAX_HOURS = env_int("SESSION_MAX_HOURS", default=12)
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 3600

# The second factor (membership/services/two_factor.py): everyone signs in with a code from an
# authenticator app, or a recovery code, after their password. Ticking "Remember this device"
# skips the code on that browser for TWO_FACTOR_REMEMBER_DAYS (0: never offered); a new
# password, a new app, a reset or "Sign out everywhere" forgets every remembered device.
TWO_FACTOR_REMEMBER_DAYS = env_int("TWO_FACTOR_REMEMBER_DAYS", default=30)
TWO_FACTOR_REMEMBER_COOKIE = "__Host-remembered" if SESSION_COOKIE_SECURE else "remembered"
# The name an authenticator app shows beside the account.
OTP_TOTP_ISSUER = env_str("TWO_FACTOR_ISSUER", "Partnership")
# After each wrong code the next is refused for 1, 2, 4, 8 ... seconds (django-otp).
OTP_TOTP_THROTTLE_FACTOR = 1
# Authenticators are not in the admin (membership/admin.py); were they, no secret is shown.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
X_FRAME_OPTIONS = "DENY"

# Celery: Redis when REDIS_URL is set, otherwise kombu's filesystem transport, which needs
# no server and keeps queued jobs in var/celery between restarts.
REDIS_URL = env_str("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        # A message not acknowledged in this time (its worker died) is delivered again: far
        # longer than the longest job (the hard time limit below), so a slow job is never
        # run twice at once.
        "visibility_timeout": 3600,
        # Publishing when Redis is down fails fast; the job waits in the outbox.
        "socket_connect_timeout": 3,
        # ...and a connection that hangs mid-publish (a half-open socket after a failover)
        # gives up too, rather than hold the page until the web worker is killed.
        "socket_timeout": 5,
        "socket_keepalive": True,
        # One try to publish, not kombu's retries with sleeps between them (some 6 s of a
        # person's request with Redis down): the outbox sends the job again later.
        "max_retries": 0,
    }
    if REDIS_URL
    else {
        "data_folder_in": str(VAR_DIR / "celery" / "queue"),
        "data_folder_out": str(VAR_DIR / "celery" / "queue"),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
)
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A job that hangs is stopped rather than holding the worker: a soft limit first (the task can
# clean up; it is then retried), then a hard one. Our slowest job, an agenda pack, takes seconds.
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", default=360)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# Quiet by default: one line a request, and a refused one (403, 404, 400) is one line saying
# why, without the traceback of the exception that refused it (partnership/logs.py). Celery's
# worker and beat run at WARNING under `make run`, with one line a job finished.
# DJANGO_LOG_VERBOSE=true (`make run VERBOSE=1`) brings every traceback and line back.
LOG_VERBOSE = env_bool("DJANGO_LOG_VERBOSE", default=False)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            "()": "logging.Formatter" if LOG_VERBOSE else "partnership.logs.RefusalFormatter"
        },
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "filters": {
        "skip_refused": {"()": "partnership.logs.SkipRefusedRequests"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        # The development server's access lines, as Django's default sets them up.
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": [] if LOG_VERBOSE else ["skip_refused"],
        },
        # Server errors e-mailed to ADMINS when debug is off, as Django's default does.
        "mail_admins": {
            "level": "ERROR",
            "filters": ["require_debug_false"],
            "class": "django.utils.log.AdminEmailHandler",
        },
    },
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's default gives "django" a console handler of its own with debug on, beside
        # the root's: every warning, traceback included, was printed twice. The root's only.
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        # SQL is never logged, even with debug on: the statements that cast a vote would pair
        # a voter with a ballot in the log.
        "django.db.backends": {"level": "WARNING", "propagate": False},
        # Nor the template engine's DEBUG lines: each failed variable lookup is logged with
        # the whole template context, which on the vote's pages holds the choice and the
        # receipt code.
        "django.template": {"level": "INFO"},
        # WeasyPrint reports each step of every render at INFO: only problems are worth a line.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # A finished job ("Task ... succeeded in 0.4s") is one line even when the worker runs
        # at WARNING; "received" and beat's "Sending due task" are not.
        "celery.app.trace": {"level": "INFO"},
        # django-axes logs every failed sign-in at INFO, with the address: a lockout is enough.
        "axes": {"level": "WARNING"},
    },
}

PASSWORD_HASHERS = env_list(
    "DJANGO_PASSWORD_HASHERS",
    default=[
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.ScryptPasswordHasher",
    ],
)

# Guardian's authentication backend is deliberately not installed: user.has_perm() would let
# a superuser flag stand in for a membership. Rights are read through partnership.permissions.
# django-axes counts wrong passwords by account only, on purpose: by address as well would let
# one person lock a whole office (one address) out. Requests are limited by address by
# partnership/throttle.py (50 sign-ins in 15 minutes), which rotating cookies cannot bypass.
SILENCED_SYSTEM_CHECKS = ["guardian.W001", "axes.W006"]
