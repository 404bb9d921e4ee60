"""The scratch database for a size, gunicorn on 127.0.0.1, and the workers' CPU clock."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from benchmarks.bench.measure import Reply

ROOT = Path(__file__).resolve().parents[2]
VAR = ROOT / "var" / "bench"
SETTINGS = "benchmarks.settings"
TICK = os.sysconf("SC_CLK_TCK")


def database_url(key: str) -> str:
    """One scratch database per size, so a built one is reused: PostgreSQL if DATABASE_URL
    names it (the size is added to the database's name), else SQLite under var/bench/."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(url)
        return urlunsplit(parts._replace(path=f"{parts.path.rstrip('/')}_{key}"))
    return f"sqlite:///{VAR / f'bench_{key}.sqlite3'}"


def ensure_postgres_database(url: str, *, fresh: bool) -> None:
    """Create the PostgreSQL database (anew when ``fresh``: a half-built one is dropped)."""
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    server = urlunsplit(parts._replace(path="/postgres"))
    connection = psycopg2.connect(server)
    connection.autocommit = True
    with connection.cursor() as cursor:
        if fresh:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def environment(url: str, key: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "DATABASE_URL": url,
        "DJANGO_DEBUG": "false",
        "PARTNERSHIP_VAR_DIR": str(VAR / f"var_{key}"),
        # The services tell people of what they did: kept in memory, never printed or sent.
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "PYTHONPATH": str(ROOT),
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn with two sync workers, debug off, on a free port of 127.0.0.1."""

    def __init__(self, env: dict[str, str], *, workers: int = 2):
        self.port = free_port()
        self.process = subprocess.Popen(  # noqa: S603 (our own arguments)
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "partnership.wsgi:application",
                "--workers",
                str(workers),
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--chdir",
                str(ROOT),
                "--log-level",
                "warning",
                "--timeout",
                "120",
            ],  # fmt: skip
            env=env,
            cwd=ROOT,
        )
        self.workers = workers

    def wait(self, url: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn stopped while starting")
            try:
                if self.get(url, {}).status == 200 and len(self.worker_pids()) == self.workers:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer {url} in {timeout:.0f} s")

    def worker_pids(self) -> list[int]:
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return [int(c) for c in children]

    def cpu(self) -> float:
        """The workers' CPU seconds so far: utime + stime from /proc/<pid>/stat."""
        total = 0
        for pid in self.worker_pids():
            stat = Path(f"/proc/{pid}/stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            total += int(fields[11]) + int(fields[12])  # the 14th and 15th fields of the line
        return total / TICK

    def get(self, url: str, cookies: dict[str, str]) -> Reply:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = {"Host": "127.0.0.1", "Sec-Fetch-Mode": "navigate"}
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        try:
            connection.request("GET", url, headers=headers)
            response = connection.getresponse()
            body = response.read()
            queries = response.getheader("X-Queries")
            return Reply(response.status, int(queries) if queries else None, len(body))
        finally:
            connection.close()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
