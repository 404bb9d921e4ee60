"""Settings come from the environment, and production settings are safe."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "PARTNERSHIP_ENV_FILE": "", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_site_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = run_manage("check", DJANGO_DEBUG="false")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_deploy_check_reports_nothing_with_production_settings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="a-long-random-production-secret-" + "x" * 40,
        DJANGO_ALLOWED_HOSTS="partnership.example.gov.uk",
        SITE_URL="https://partnership.example.gov.uk",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_check_warns_of_a_site_url_that_is_not_https():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="a-long-random-production-secret-" + "x" * 40,
        DJANGO_ALLOWED_HOSTS="partnership.example.gov.uk",
        SITE_URL="http://partnership.example.gov.uk",
    )
    assert result.returncode != 0 and "partnership.W001" in result.stdout + result.stderr


def test_a_mistyped_boolean_is_an_error():
    result = run_manage("check", DJANGO_DEBUG="maybe")
    assert result.returncode != 0 and "DJANGO_DEBUG must be true or false" in result.stderr


def test_production_keeps_database_connections_and_bounds_every_job():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['CONN_MAX_AGE'], s.CELERY_TASK_SOFT_TIME_LIMIT, "
        "s.CELERY_TASK_TIME_LIMIT, s.CELERY_TASK_ACKS_LATE, s.CELERY_TASK_REJECT_ON_WORKER_LOST, "
        "s.CELERY_WORKER_PREFETCH_MULTIPLIER)",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="a-long-random-production-secret-" + "x" * 40,
        DJANGO_ALLOWED_HOSTS="partnership.example.gov.uk",
    )
    assert result.returncode == 0, result.stderr
    # The last line: the shell may first say what it imported.
    assert result.stdout.strip().splitlines()[-1].split() == [
        "60",
        "300",
        "360",
        "True",
        "True",
        "1",
    ]


def test_production_cookies_are_host_only_and_secure():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY)",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="a-long-random-production-secret-" + "x" * 40,
        DJANGO_ALLOWED_HOSTS="partnership.example.gov.uk",
    )
    assert result.returncode == 0, result.stderr
    assert (
        result.stdout.strip().splitlines()[-1] == "__Host-sessionid __Host-csrftoken True True True"
    )


def _database_options(**env) -> str:
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.DATABASES['default']['OPTIONS'].get("
        "'options', '-'))",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/never_connected",
        DJANGO_DEBUG="true",
        **env,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_postgresql_connections_turn_jit_off_keeping_pgoptions():
    clean = {"PGOPTIONS": ""}
    assert _database_options(**clean) == "-c jit=off"
    assert _database_options(PGOPTIONS="-c statement_timeout=5000") == (
        "-c statement_timeout=5000 -c jit=off"
    )
    # Whoever names jit, or turns the option off (a pooler refusing options), decides.
    assert _database_options(PGOPTIONS="-c jit=on") == "-"
    assert _database_options(DATABASE_JIT_OFF="false", **clean) == "-"
