"""The quiet logging (partnership/logs.py and LOGGING in settings): a refused request is one line
saying why, with no traceback; DJANGO_LOG_VERBOSE brings the tracebacks back."""

import io
import logging
import logging.config
import runpy

import pytest
from django.conf import settings
from django.urls import reverse

import partnership.settings


def _logging_for(monkeypatch, *, verbose: bool) -> dict:
    """settings.LOGGING as the module builds it with DJANGO_LOG_VERBOSE set so."""
    monkeypatch.setenv("DJANGO_LOG_VERBOSE", "true" if verbose else "false")
    monkeypatch.setenv("PARTNERSHIP_ENV_FILE", "")  # read no .env into this process
    return runpy.run_path(partnership.settings.__file__)["LOGGING"]


@pytest.fixture
def console(monkeypatch):
    """Configures logging as the settings would, every handler writing to one buffer; puts the
    test run's own configuration back afterwards."""
    buffer = io.StringIO()

    def configure(*, verbose: bool) -> io.StringIO:
        config = _logging_for(monkeypatch, verbose=verbose)
        for handler in config["handlers"].values():
            if handler["class"] == "logging.StreamHandler":
                handler["stream"] = buffer
        logging.config.dictConfig(config)
        return buffer

    yield configure
    logging.config.dictConfig(settings.LOGGING)


def _refuse_three_requests(client, world) -> None:
    """A 403 (PermissionDenied), a 404 (Http404) and a 400 (DisallowedHost, a
    SuspiciousOperation)."""
    client.force_login(world.group_coordinator)
    p = world.partnership.slug
    forbidden = reverse(
        "membership:membership_detail",
        kwargs={"partnership": p, "body": world.other.slug, "pk": world.other_membership.pk},
    )
    assert client.get(forbidden).status_code == 403
    missing = reverse("membership:body", kwargs={"partnership": p, "body": "nope"})
    assert client.get(missing).status_code == 404
    assert client.get("/", HTTP_HOST="evil.example").status_code == 400


def test_a_refused_request_logs_one_line_without_a_traceback(client, world, console):
    out = console(verbose=False)
    _refuse_three_requests(client, world)
    lines = out.getvalue().splitlines()
    assert len(lines) == 3, lines
    assert lines[0].startswith("Forbidden (Permission denied): /p/")
    assert lines[1].startswith("Not Found: /p/")
    assert lines[2].startswith("Invalid HTTP_HOST header: 'evil.example'")
    assert "Traceback" not in out.getvalue()


def test_verbose_logging_keeps_the_tracebacks(client, world, console):
    out = console(verbose=True)
    _refuse_three_requests(client, world)
    text = out.getvalue()
    # PermissionDenied and DisallowedHost carry their exception; a 404 never did.
    assert text.count("Traceback (most recent call last)") == 2
    assert "django.core.exceptions.PermissionDenied" in text
    assert "django.core.exceptions.DisallowedHost" in text


def test_each_warning_is_printed_once(console):
    """Django's default gave the "django" logger a console of its own beside the root's."""
    out = console(verbose=False)
    logging.getLogger("django.request").warning("Bad Request: %s", "/x", extra={"status_code": 400})
    assert out.getvalue() == "Bad Request: /x\n"


def test_a_server_error_keeps_its_traceback(console):
    out = console(verbose=False)
    try:
        raise ValueError("broken")
    except ValueError as exc:
        logging.getLogger("django.request").error(
            "Internal Server Error: %s", "/x", exc_info=exc, extra={"status_code": 500}
        )
    assert "Traceback (most recent call last)" in out.getvalue()
    assert "ValueError: broken" in out.getvalue()


def _access_line(status: int) -> None:
    # As django.core.servers.basehttp.WSGIRequestHandler.log_message writes it.
    extra = {"status_code": status, "server_time": "02/Dec/2026 09:00:00", "request": None}
    logging.getLogger("django.server").info('"GET /x HTTP/1.1" %s 10', status, extra=extra)


@pytest.mark.parametrize(("verbose", "lines"), [(False, 1), (True, 2)])
def test_the_development_server_leaves_a_refusal_to_the_line_saying_why(console, verbose, lines):
    out = console(verbose=verbose)
    _access_line(200)
    _access_line(403)
    assert out.getvalue().count("GET /x") == lines
    assert '"GET /x HTTP/1.1" 200 10' in out.getvalue()


class _Records(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records = []

    def emit(self, record):
        self.records.append(record)


def test_the_formatter_leaves_the_record_for_other_handlers(console):
    """Another handler (a test's caplog, an error tracker) still gets a refusal's exception."""
    out = console(verbose=False)
    other = _Records()
    logging.getLogger().addHandler(other)
    try:
        raise PermissionError("no")
    except PermissionError as exc:
        logging.getLogger("django.request").warning(
            "Forbidden: %s", "/x", exc_info=exc, extra={"status_code": 403}
        )
    finally:
        logging.getLogger().removeHandler(other)
    assert out.getvalue() == "Forbidden: /x\n"
    assert other.records[0].exc_info is not None
