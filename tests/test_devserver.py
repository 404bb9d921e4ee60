"""`make run`'s supervisor (scripts/run.py), with stand-ins for the three servers: it prints the
demo sign-ins once the site answers, and a signal stops every child, grandchildren included,
within a few seconds and with exit status 0."""

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "run.py"

# A stand-in server. "web" listens, like runserver once its checks pass; "family" forks a
# child, like runserver's autoreloader; "stubborn" ignores SIGTERM, like a worker deep in a
# job; "dies" exits at once. Each writes the pids it starts to the file it is given.
STUB = textwrap.dedent(
    """
    import os, signal, socket, sys, time
    kind, pids = sys.argv[1], sys.argv[2]
    def note(pid):
        with open(pids, "a") as f:
            f.write(f"{pid}\\n")
    note(os.getpid())
    if kind == "web":
        print("web: checking", flush=True)
        time.sleep(0.5)
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", int(sys.argv[3])))
        server.listen()
    elif kind == "family":
        if os.fork() == 0:
            note(os.getpid())
            time.sleep(60)
            os._exit(0)
    elif kind == "stubborn":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    elif kind == "dies":
        sys.exit(3)
    time.sleep(60)
    """
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _running(pid: int) -> bool:
    """Whether the process still runs; an exited one not yet reaped (a zombie) does not."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


class Run:
    def __init__(self, tmp_path: Path, kinds: dict[str, str], *extra: str):
        self.tmp_path = tmp_path
        self.port = _free_port()
        stub = tmp_path / "stub.py"
        stub.write_text(STUB)
        self.pid_files = {name: tmp_path / f"{name}.pids" for name in kinds}
        args = [sys.executable, str(SCRIPT), "--grace", "1", "--ready", f"127.0.0.1:{self.port}"]
        for name, kind in kinds.items():
            args += ["--process", f"{name}={sys.executable} {stub} {kind} {self.pid_files[name]}"]
            if kind == "web":
                args[-1] += f" {self.port}"
        self.output = tmp_path / "output.txt"
        env = dict(os.environ, DJANGO_DEBUG="true")
        with self.output.open("w") as out:
            self.process = subprocess.Popen(
                [*args, *extra], stdout=out, stderr=subprocess.STDOUT, env=env
            )

    def text(self) -> str:
        return self.output.read_text()

    def wait_for(self, predicate, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            assert self.process.poll() is None, self.text()
            assert time.monotonic() < deadline, self.text()
            time.sleep(0.1)

    def pids(self) -> list[int]:
        return [
            int(line)
            for path in self.pid_files.values()
            if path.exists()
            for line in path.read_text().split()
        ]

    def kill(self) -> None:
        """Leave nothing behind if a test fails half-way."""
        pids = self.pids()
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        for pid in pids:
            if _running(pid):
                os.kill(pid, signal.SIGKILL)


@pytest.fixture
def run(tmp_path):
    runs = []

    def start(kinds: dict[str, str], *extra: str) -> Run:
        runs.append(Run(tmp_path, kinds, *extra))
        return runs[-1]

    yield start
    for r in runs:
        r.kill()


SERVERS = {"web": "web", "worker": "family", "beat": "stubborn"}


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_every_child_within_seconds_and_exits_0(run, signum):
    r = run(SERVERS, "--no-sign-ins")
    # Four processes: the three children and the "worker"'s own child.
    r.wait_for(lambda: "answers" in r.text() and len(r.pids()) == 4)
    pids = r.pids()
    assert all(_running(pid) for pid in pids)
    started = time.monotonic()
    r.process.send_signal(signum)
    assert r.process.wait(timeout=10) == 0
    # The stubborn one takes the whole grace period (1 second here), then is killed.
    assert time.monotonic() - started < 4
    assert [pid for pid in pids if _running(pid)] == []


def test_the_sign_ins_are_printed_last_once_the_site_answers(run):
    r = run(SERVERS)
    r.wait_for(lambda: "Ctrl-C stops the servers" in r.text(), timeout=60)
    text = r.text()
    assert text.index("web: checking") < text.index("coordinator@mercia-vale.example")
    for email in ["coordinator", "member", "chair", "nadia.rahman", "admin"]:
        assert f"  {email}@mercia-vale.example  " in text
    assert "password demo-partnership-2026" in text
    assert text.rstrip().endswith("Ctrl-C stops the servers.")
    r.process.send_signal(signal.SIGTERM)
    assert r.process.wait(timeout=10) == 0


def test_a_child_that_dies_stops_the_others_and_exits_1(run):
    r = run({"web": "web", "worker": "dies", "beat": "family"}, "--no-sign-ins")
    assert r.process.wait(timeout=15) == 1
    assert "worker stopped (exit status 3), stopping the others" in r.text()
    assert [pid for pid in r.pids() if _running(pid)] == []


def test_it_will_not_start_beside_a_server_already_on_the_port(run, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        r = run({"beat": "family"}, "--ready", f"127.0.0.1:{port}")
        assert r.process.wait(timeout=10) == 1
    assert f"something already answers on 127.0.0.1:{port}" in r.text()
    assert r.pids() == []
