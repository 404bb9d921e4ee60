"""The quiet logging that LOGGING in settings uses unless DJANGO_LOG_VERBOSE is on: a request
refused with a 4xx is one line saying why, without the traceback of the PermissionDenied or
SuspiciousOperation that refused it. Refusing is the permission checks doing their job, not a
fault; a traceback for each one buried the lines that matter. Server errors keep theirs."""

import logging


def _refused(record: logging.LogRecord) -> bool:
    # Django puts the response's status on the records of django.request, django.security.*
    # and the development server's access lines.
    status = getattr(record, "status_code", None)
    return isinstance(status, int) and 400 <= status < 500


class RefusalFormatter(logging.Formatter):
    """Formats a refused request's record without its traceback. The record is copied, never
    changed: other handlers (a test's caplog, an error tracker) still get the exception."""

    def format(self, record: logging.LogRecord) -> str:
        if record.exc_info and _refused(record):
            record = logging.makeLogRecord({**record.__dict__, "exc_info": None, "exc_text": None})
        return super().format(record)


class SkipRefusedRequests(logging.Filter):
    """For the development server's access lines: Django has already logged each refused
    request with its reason ("Forbidden (Permission denied): /path"), so its access line would
    be a second line for the same request."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not _refused(record)
