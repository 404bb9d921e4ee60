"""The Docker deployment, checked by reading it: no Docker engine runs on our machines. What
must hold is what makes the stack safe: production settings only, never the developer's
.env (debug on), and private files on a volume both web and worker see."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_the_stack_has_postgresql_redis_gunicorn_a_worker_and_beat():
    services = compose()["services"]
    assert set(services) == {"db", "redis", "web", "worker", "beat"}
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    assert "gunicorn partnership.wsgi" in services["web"]["command"]
    assert "migrate" in services["web"]["command"]
    assert services["worker"]["command"].startswith("celery -A partnership worker")
    assert services["beat"]["command"].startswith("celery -A partnership beat")


def test_the_app_runs_with_production_settings_and_shared_private_files():
    services = compose()["services"]
    for name in ("web", "worker", "beat"):
        app = services[name]
        assert app["env_file"] == "production.env", name
        assert app["environment"]["DJANGO_DEBUG"] == "false", name
        assert app["environment"]["DATABASE_URL"].startswith("postgres://"), name
        assert app["environment"]["REDIS_URL"].startswith("redis://"), name
        assert "private:/data" in app["volumes"], name
        assert app["environment"]["PARTNERSHIP_VAR_DIR"] == "/data", name
    assert "private" in compose()["volumes"]


def test_the_image_never_reads_or_contains_a_developers_env_file():
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert ".env" in ignored and "production.env" in ignored and "var" in ignored
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert 'PARTNERSHIP_ENV_FILE=""' in dockerfile
    assert "PARTNERSHIP_VAR_DIR=/data" in dockerfile
    assert "USER nobody" in dockerfile


def test_a_production_env_copied_from_the_example_gives_working_settings():
    """What a container sees: production.env (a copy of .env.example, blanks and all), with
    the compose file's environment over it, and the image's "read no .env file"."""
    from tests.test_settings import run_manage

    env = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            env[key.strip()] = value.strip()
    # As compose fills them in, with the passwords set as the README says.
    env.update(
        {
            key: re.sub(r"\$\{\w+:[?-][^}]*\}", "0123abcd", value)
            for key, value in compose()["services"]["web"]["environment"].items()
        }
    )
    env.update(DJANGO_SECRET_KEY="x" * 60, PARTNERSHIP_ENV_FILE="")
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings as s; "
        "print(s.PRIVATE_MEDIA_ROOT, s.EMAIL_BACKEND, s.DEBUG)",
        **env,
    )
    assert result.returncode == 0, result.stderr
    media, backend, debug = result.stdout.strip().splitlines()[-1].split()
    assert media == "/data/private"
    assert backend == "django.core.mail.backends.smtp.EmailBackend"
    assert debug == "False"


def test_the_stack_has_no_default_passwords_and_the_data_services_no_way_out():
    stack = compose()
    services = stack["services"]
    web = services["web"]["environment"]
    assert "${POSTGRES_PASSWORD:?" in web["DATABASE_URL"]
    assert "${REDIS_PASSWORD:?" in web["REDIS_URL"]
    assert "${POSTGRES_PASSWORD:?" in services["db"]["environment"]["POSTGRES_PASSWORD"]
    assert "--requirepass" in services["redis"]["command"]
    assert "--appendonly yes" in services["redis"]["command"]
    assert stack["networks"]["backend"]["internal"] is True
    assert services["db"]["networks"] == services["redis"]["networks"] == ["backend"]
