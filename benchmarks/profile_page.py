"""Profile one of `make bench`'s pages in-process, on the benchmark's database (issue 14).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/partnership_bench_<size> \\
      .venv/bin/python benchmarks/profile_page.py meeting coordinator [--requests 30] [--queries]

The database is one `make bench` built (its name is printed at the start of a run). The page
is requested through Django's test client with the benchmark's settings (debug off) and the
role's session, a few times to warm up, then ``--requests`` times under pyinstrument; prints
the profile, the CPU time per request and, with ``--queries``, each query of one request.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("page", help="the page's name in the bench table, e.g. 'meeting'")
    parser.add_argument("role", help="public, member, coordinator or admin")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--queries", action="store_true", help="print one request's queries")
    parser.add_argument("--interval", type=float, default=0.0005)
    parser.add_argument(
        "--ratio",
        action="store_true",
        help="no profile: the page's CPU a request against L0's, in interleaved rounds",
    )
    args = parser.parse_args()

    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from pyinstrument import Profiler

    from benchmarks.bench.build import pages

    found, sessions = pages()
    page = next((p for p in found if p.name == args.page and p.role == args.role), None)
    if page is None:
        names = sorted({f"{p.name!r} {p.role}" for p in found})
        parser.error(f"no such page; one of: {', '.join(names)}")

    def getter(page):
        client = Client(HTTP_HOST="127.0.0.1")
        if page.role != "public":
            client.cookies[settings.SESSION_COOKIE_NAME] = sessions[page.role]

        def get() -> None:
            response = client.get(page.url)
            assert response.status_code == 200, (page.url, response.status_code)

        for _ in range(3):
            get()
        return get

    get = getter(page)
    if args.ratio:
        floor = getter(next(p for p in found if p.name == "L0"))
        ratios, mine = [], []
        for n in range(args.requests):
            spent = []
            for f in (get, floor) if n % 2 else (floor, get):
                started = time.process_time()
                for _ in range(5):
                    f()
                spent.append((time.process_time() - started) / 5 * 1000)
            if n % 2 == 0:
                spent.reverse()
            mine.append(spent[0])
            ratios.append(spent[0] / spent[1])
        print(
            f"{page.name} as {page.role}: {statistics.median(mine):.1f} ms CPU a request, "
            f"{statistics.median(ratios):.2f}× L0 ({min(ratios):.2f}–{max(ratios):.2f}), "
            "in-process (the database's own CPU not counted)"
        )
        return 0
    queries: list[tuple[float, str]] = []

    def record(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append(((time.perf_counter() - started) * 1000, sql))

    with connection.execute_wrapper(record):
        get()
    profiler = Profiler(interval=args.interval)
    started = time.process_time()
    with profiler:
        for _ in range(args.requests):
            get()
    spent = (time.process_time() - started) / args.requests * 1000
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    print(f"{page.name} as {page.role}: {page.url}")
    print(f"{len(queries)} queries; {spent:.1f} ms CPU a request (with the profiler's own cost)")
    if args.queries:
        for spent, sql in queries:
            print(f"- {spent:.1f} ms (wall): {sql[:600]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
