"""`make run`'s process supervisor: the development web server, a Celery worker and Celery beat,
started together and stopped together, with the demo sign-ins printed last, once the site
answers, so they are not buried under the servers' start-up lines.

    .venv/bin/python scripts/run.py [--verbose]

Ctrl-C (SIGINT) or SIGTERM stops all three: each is sent SIGTERM, given a few seconds, then
killed, and the supervisor exits 0. If one of them dies on its own the others are stopped too
and the exit status is 1, so a broken worker is never left unnoticed behind a live site.

Each child runs in a session (process group) of its own and is signalled as a group: the
runserver's autoreloader serves from a child process, which would otherwise be left holding
the port. Being out of the terminal's process group also means Ctrl-C reaches only this
supervisor, which then stops each child once, in order.

Our own code rather than honcho: a Procfile cannot say "once the site answers, print the
sign-ins", and this is some 200 lines of the standard library against one more dependency
whose stopping we would still have to check for runserver's reloaded child.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST, PORT = "127.0.0.1", 8000
GRACE_SECONDS = 5.0  # after SIGTERM, before SIGKILL
READY_SECONDS = 60.0  # the web server's start-up: system checks, then it listens


def default_commands(*, verbose: bool) -> dict[str, list[str]]:
    """The three servers. Celery's banners and INFO lines (each job received, each beat tick)
    are left out unless verbose; the settings still give one line a finished job."""
    python = sys.executable
    celery = [python, "-m", "celery", "-A", "partnership"] + ([] if verbose else ["--quiet"])
    level = "INFO" if verbose else "WARNING"
    return {
        "web": [python, "manage.py", "runserver", f"{HOST}:{PORT}"],
        "worker": celery + ["worker", f"--loglevel={level}", "--concurrency=1", "--pool=solo"],
        "beat": celery + ["beat", f"--loglevel={level}"],
    }


def sign_ins() -> str:
    """The demo sign-ins as a short table, from where load_demo and the performance demo
    define them."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnership.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from membership.demo_second_factor import demo_totp_secret
    from membership.management.commands import load_demo as demo
    from performance.management.demo_data import PERSONAS

    named = [(key, role) for key, (_local, role) in demo.SIGN_INS.items()]
    rows = [(demo.email_for(key), demo.PEOPLE[key][0], role) for key, role in named]
    rows += [
        (demo.email_for(key), demo.PEOPLE[key][0], role)
        for key, role in PERSONAS
        if key not in demo.SIGN_INS
    ]
    rows.append((f"{demo.ADMIN[0]}@{demo.DOMAIN}", demo.ADMIN[1], "/admin/, for repairs only"))
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    lines = [
        "",
        f"{demo.NAME} is at http://{HOST}:{PORT}/p/{demo.SLUG}/",
        f"Sign in as any of these, password {demo.PASSWORD}, then the code from an",
        "authenticator app given the person's secret (below each), or from",
        "  .venv/bin/python manage.py demo_code <e-mail>",
        "",
    ]
    for e, n, r in rows:
        lines.append(f"  {e.ljust(widths[0])}  {n.ljust(widths[1])}  {r}")
        lines.append(f"  {''.ljust(widths[0])}  secret {demo_totp_secret(e)}")
    lines += [
        "",
        f"Everyone else is firstname.lastname@{demo.DOMAIN} with the same password.",
        'README.md, "Demo sign-ins", says what each can try. Ctrl-C stops the servers.',
        "",
    ]
    return "\n".join(lines)


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


class Supervisor:
    def __init__(self, commands: dict[str, list[str]], *, env: dict[str, str], grace: float):
        self.commands = commands
        self.env = env
        self.grace = grace
        self.children: dict[str, subprocess.Popen] = {}
        # Started once the site answers and expected to finish: not watched, but stopped.
        self.helpers: list[subprocess.Popen] = []
        self.stop_signal: int | None = None

    def _on_signal(self, signum, _frame) -> None:
        # Only note it: the main loop does the stopping, outside the handler.
        self.stop_signal = signum

    def start(self) -> None:
        signal.signal(signal.SIGINT, self._on_signal)
        signal.signal(signal.SIGTERM, self._on_signal)
        for name, argv in self.commands.items():
            self.children[name] = self._spawn(argv)

    def _spawn(self, argv: list[str]) -> subprocess.Popen:
        return subprocess.Popen(  # noqa: S603 - our own commands
            argv, cwd=ROOT, env=self.env, stdin=subprocess.DEVNULL, start_new_session=True
        )

    def run(self, *, ready: tuple[str, int] | None, then: list[str]) -> int:
        """Watch the children until a signal or a death; run `then` once the web server
        accepts connections. Returns the exit status; the caller then calls stop()."""
        waiting_since = time.monotonic()
        while self.stop_signal is None:
            dead = [
                (name, p.returncode) for name, p in self.children.items() if p.poll() is not None
            ]
            if dead:
                name, code = dead[0]
                print(f"\nrun: {name} stopped (exit status {code}), stopping the others.")
                return 1
            if ready is not None:
                if _answers(*ready):
                    ready = None
                    self.helpers.append(self._spawn(then))
                elif time.monotonic() - waiting_since > READY_SECONDS:
                    print(f"\nrun: nothing answers on {ready[0]}:{ready[1]} yet.")
                    ready = None
            time.sleep(0.2)
        return 0

    def stop(self) -> None:
        """SIGTERM to every child's process group, a grace period, then SIGKILL to what is
        left. Signals arriving meanwhile (a second Ctrl-C) change nothing."""
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_IGN)
        processes = [*self.children.values(), *self.helpers]
        groups = [p.pid for p in processes]
        _signal_groups(groups, signal.SIGTERM)
        deadline = time.monotonic() + self.grace
        while time.monotonic() < deadline:
            for p in processes:
                p.poll()
            if not _alive(groups):
                break
            time.sleep(0.1)
        _signal_groups(groups, signal.SIGKILL)
        for p in processes:
            p.wait()


def _signal_groups(groups: list[int], signum: int) -> None:
    for group in groups:
        # A group that has gone already, or whose number is now someone else's, is skipped.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(group, signum)


def _alive(groups: list[int]) -> bool:
    """Whether a process of these groups still runs. One that has exited but not yet been
    reaped by its parent (a zombie) counts as gone: it holds nothing and cannot be stopped.
    Without /proc (macOS), any member counts, zombies too: the grace period then runs out."""
    proc = Path("/proc")
    if not (proc / "self" / "stat").exists():
        return any(_group_exists(group) for group in groups)
    for stat in proc.glob("[0-9]*/stat"):
        try:
            # After the command's closing parenthesis: state, parent, process group.
            state, _parent, group = stat.read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, IndexError):
            continue  # it exited while we looked
        if int(group) in groups and state != "Z":
            return True
    return False


def _group_exists(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="every log line: tracebacks of refused requests, Celery at INFO",
    )
    # For the tests: stand-ins for the three servers, and a shorter grace period.
    parser.add_argument(
        "--process", action="append", metavar="NAME=COMMAND", help="replace the servers"
    )
    parser.add_argument("--ready", metavar="HOST:PORT", help=f"default {HOST}:{PORT}")
    parser.add_argument("--grace", type=float, default=GRACE_SECONDS)
    parser.add_argument("--no-sign-ins", action="store_true")
    # How the supervisor prints them: in a process of its own, so that it never loads Django
    # (whose start-up, and above all whose exit, takes seconds).
    parser.add_argument("--print-sign-ins", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.print_sign_ins:
        print(sign_ins(), flush=True)
        return 0

    host, _, port = (args.ready or f"{HOST}:{PORT}").rpartition(":")
    ready = (host, int(port))
    if _answers(*ready):
        print(f"run: something already answers on {host}:{port}: stop it first.", file=sys.stderr)
        return 1
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    if args.verbose:
        env["DJANGO_LOG_VERBOSE"] = "true"
    if args.process:
        commands = {}
        for spec in args.process:
            name, _, command = spec.partition("=")
            commands[name] = shlex.split(command)
    else:
        commands = default_commands(verbose=args.verbose)

    if args.no_sign_ins:
        then = [sys.executable, "-c", f"print('run: {host}:{port} answers.')"]
    else:
        then = [sys.executable, str(Path(__file__).resolve()), "--print-sign-ins"]

    supervisor = Supervisor(commands, env=env, grace=args.grace)
    try:
        supervisor.start()
        return supervisor.run(ready=ready, then=then)
    finally:
        # Whatever went wrong in here, no server is left running without us.
        supervisor.stop()


if __name__ == "__main__":
    sys.exit(main())
