"""`make bench`: every main page against its floors (F0, L0, the admin), in one run.

    .venv/bin/python -m benchmarks.bench                 # the large partnership, ~10 minutes
    .venv/bin/python -m benchmarks.bench --quick --rounds 2     # tiny data (make bench-quick)
    .venv/bin/python -m benchmarks.bench --growth        # also at 10× and compare
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/partnership_bench make bench

Builds (once per size: the database is kept) a partnership in a scratch database, serves it
under gunicorn (2 sync workers, debug off, 127.0.0.1) with benchmarks.settings, measures in
interleaved rounds and prints the table (also written to var/bench/last.md). Exits 1 when a
page misses its goal even in its best round. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.bench import measure as m  # noqa: E402
from benchmarks.bench.serve import VAR, Server, database_url, environment  # noqa: E402
from benchmarks.bench.sizes import Sizes  # noqa: E402


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench")
    parser.add_argument("--scale", type=float, default=1, help="× people, meetings, entries")
    parser.add_argument("--partnerships", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="tiny data, for a developer's loop")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=480, help="bound on each size's rounds")
    parser.add_argument("--batch-seconds", type=float, default=0.4)
    parser.add_argument("--growth", action="store_true", help="also measure at 10× the size")
    parser.add_argument("--rebuild", action="store_true", help="build the database again")
    parser.add_argument("--build-only", dest="build_into", default=None, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _build_in_django(args: argparse.Namespace) -> None:
    """In the child process: build if needed, then write the pages and sessions as JSON."""
    import os

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from benchmarks.bench import build
    from benchmarks.bench.serve import ensure_postgres_database

    sizes = Sizes.of(scale=args.scale, quick=args.quick)
    marker = VAR / f"{sizes.key(args.partnerships)}.built"
    url = os.environ["DATABASE_URL"]
    if args.rebuild or not marker.exists() or marker.read_text() != url:
        marker.unlink(missing_ok=True)
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        else:
            ensure_postgres_database(url, fresh=True)
        started = time.monotonic()
        call_command("migrate", verbosity=0)
        build.build(sizes=sizes, partnerships=args.partnerships)
        marker.write_text(url)
        print(f"built {sizes} in {time.monotonic() - started:.0f} s", file=sys.stderr)
    pages, sessions = build.pages()
    Path(args.build_into).write_text(
        json.dumps(
            {
                "pages": build.page_dicts(pages),
                "sessions": sessions,
                "cookie": settings.SESSION_COOKIE_NAME,
            }
        )
    )


def run_size(args: argparse.Namespace, *, scale: float) -> list[m.Figures]:
    """Build (or reuse) the database of this size, serve it, measure it."""
    sizes = Sizes.of(scale=scale, quick=args.quick)
    key = sizes.key(args.partnerships)
    url = database_url(key)
    env = environment(url, key)
    VAR.mkdir(parents=True, exist_ok=True)
    out = VAR / f"{key}.pages.json"
    command = [sys.executable, "-m", "benchmarks.bench", "--build-only", str(out)]
    command += ["--scale", str(scale), "--partnerships", str(args.partnerships)]
    command += ["--quick"] * args.quick + ["--rebuild"] * args.rebuild
    print(f"database {url} ({sizes})", flush=True)
    subprocess.run(command, env=env, cwd=ROOT, check=True)  # noqa: S603 (our own arguments)
    built = json.loads(out.read_text())
    server = Server(env)
    try:
        server.wait(built["pages"][0]["url"])
        cookies = {role: {built["cookie"]: key} for role, key in built["sessions"].items()} | {
            "public": {}
        }

        def send(url: str, role: str) -> m.Reply:
            return server.get(url, cookies[role])

        return m.measure(
            built["pages"],
            send=send,
            cpu=server.cpu,
            rounds=args.rounds,
            seconds=args.seconds,
            batch_seconds=args.batch_seconds,
            say=lambda line: print(line, flush=True),
        )
    finally:
        server.stop()


def _machine() -> str:
    import os
    import platform

    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{os.cpu_count()} cores ({model}), load {load}"


def _failed(rows: list[m.Row]) -> bool:
    return any(r.verdict == "FAIL" or r.verdict.startswith("ERROR") for r in rows)


def report(
    args: argparse.Namespace,
    figures: list[m.Figures],
    growth: str = "",
    larger: list[m.Figures] | None = None,
) -> tuple[str, bool]:
    """The table of this size and, with ``--growth``, the 10× size's own table (each page
    against the floors of its own rounds) and the growth from one to the other."""
    rows = m.judge(figures)
    larger_rows = m.judge(larger) if larger else []
    failed = _failed(rows) or _failed(larger_rows)
    sizes = Sizes.of(scale=args.scale, quick=args.quick)
    rounds = max((len(f.cpu) for f in figures), default=0)
    database = database_url(sizes.key(args.partnerships)).split("://")[0]
    text = "\n".join(
        [
            f"# Benchmark, {datetime.now():%Y-%m-%d %H:%M}",
            "",
            f"{database}; {args.partnerships} partnership(s) of {sizes.bodies} bodies, "
            f"{sizes.people} people, a {sizes.big_body}-member body, {sizes.meetings} meetings, "
            f"{sizes.entries} register entries; gunicorn, 2 sync workers, debug off; "
            f"{rounds} rounds; {_machine()}.",
            "",
            "CPU is the workers' (utime + stime) over each page's batch of requests, per request,",
            "median over rounds; ratios are per round, median (min–max); a page fails when its",
            "best round misses the goal.",
            "",
            m.table(rows),
            *(["", "## At 10×", "", m.table(larger_rows)] if larger_rows else []),
            *(["", "## Growth: 1× against 10×", "", growth] if growth else []),
            "",
        ]
    )
    return text, failed


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    if args.build_into:
        _build_in_django(args)
        return 0
    figures = run_size(args, scale=args.scale)
    growth, grew, larger = "", False, None
    if args.growth:
        larger = run_size(args, scale=args.scale * 10)
        growth, grew = m.growth_table(figures, larger)
    text, failed = report(args, figures, growth, larger)
    print(text)
    VAR.mkdir(parents=True, exist_ok=True)
    (VAR / "last.md").write_text(text)
    return 1 if failed or grew else 0


if __name__ == "__main__":
    sys.exit(main())
