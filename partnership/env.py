"""Small typed readers for settings that come from the environment.

Each fails loudly on a value it cannot read, so a typo in production is an error at start-up
rather than a silently different behaviour.
"""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def load_env_file(path: str) -> None:
    """Read KEY=VALUE lines from a developer's .env file. The real environment always wins,
    and an empty path reads nothing, so production and tests are never affected by it."""
    if not path or not os.path.isfile(path):
        return
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            line = line.strip()
            if not line or line.startswith("#") or "=" not in line:
                continue
            key, _, value = line.partition("=")
            os.environ.setdefault(key.strip(), value.strip().strip("'\""))


def _given(name: str) -> str | None:
    """The variable's value, or None when it is unset or empty: an env file copied from
    .env.example leaves blanks (``PARTNERSHIP_VAR_DIR=``), which mean "the default", never
    "an empty path" or "no e-mail backend"."""
    raw = os.environ.get(name)
    return None if raw is None or not raw.strip() else raw


def env_str(name: str, default: str = "") -> str:
    raw = _given(name)
    return default if raw is None else raw


def env_bool(name: str, *, default: bool) -> bool:
    raw = _given(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, *, default: int) -> int:
    raw = _given(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from exc


def env_list(name: str, *, default: list[str]) -> list[str]:
    raw = _given(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]
