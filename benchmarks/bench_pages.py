"""Render time and query count of the busiest pages as the partnership grows.

    DJANGO_DEBUG=true .venv/bin/python benchmarks/bench_pages.py [--members 200] [--bodies 100]

Builds a throwaway partnership in a fresh SQLite database under var/bench/ (or the database
DATABASE_URL names: use a scratch one), then requests each page repeatedly with Django's
test client and prints the median time, peak memory and the number of queries. The query
count must not grow with the rows shown; the timings are for comparing changes on one machine.
"""

import argparse
import os
import statistics
import sys
import time
import tracemalloc
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnership.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench' / 'bench.sqlite3'}")


class _Counter:
    """A database execute wrapper that notes each query."""

    def __init__(self, seen: list[str]):
        self.seen = seen

    def __call__(self, execute, sql, params, many, context):
        self.seen.append(sql)
        return execute(sql, params, many, context)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--bodies", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    db = Path(os.environ["DATABASE_URL"].removeprefix("sqlite:///"))
    if os.environ["DATABASE_URL"].startswith("sqlite:///"):
        db.parent.mkdir(parents=True, exist_ok=True)
        db.unlink(missing_ok=True)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections, connection
    from django.test import Client

    # As in Django's test runner: keep one connection so its queries can be counted.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)

    from governance import services as gs
    from membership import services as ms
    from membership.models import User
    from partnership import services as ps
    from partnership.models import Partnership

    p = Partnership.objects.create(name="Bench", slug="bench")
    coordinator = User.objects.create_user("bench@example.org", "x", full_name="Bench Co")
    ms.appointment_create(actor=None, person=coordinator, partnership=p, starts_on=date(2025, 1, 1))
    board = ps.body_create(actor=None, partnership=p, name="Board", kind="partnership_board")
    for i in range(args.bodies):
        ps.body_create(actor=None, partnership=p, name=f"Group {i}", kind="forum", parent=board)
    seat = ms.seat_create(actor=None, body=board, name="Members", count=args.members, voting=True)
    for i in range(args.members):
        org = ps.organisation_create(actor=None, partnership=p, name=f"Org {i}", sector="public")
        person = User.objects.create_user(f"p{i}@example.org", "x", full_name=f"Person {i}")
        ms.membership_create(
            actor=None,
            body=board,
            seat=seat,
            person=person,
            organisation=org,
            starts_on=date(2025, 1, 1),
        )
        # Each member keeps an interest and a hospitality in the Board's registers.
        gs.declaration_create(
            actor=person,
            partnership=p,
            person=person,
            kind="business",
            holder="self",
            organisation=org,
            description="Director of a member firm.",
            starts_on=date(2025, 1, 1),
        )
        gs.gift_declare(
            actor=person,
            partnership=p,
            person=person,
            body=board,
            kind="hospitality",
            donor="A supplier",
            description="Lunch",
            value=Decimal("20"),
            offered_on=date(2025, 6, 1),
            decision="accepted",
        )

    client = Client()
    client.force_login(coordinator)
    pages = {
        "structure": "/p/bench/",
        "body page (co-ordinator)": board.get_absolute_url(),
        "organisations": "/p/bench/organisations/",
        "register of interests": "/p/bench/bodies/board/register/",
        "gifts and hospitality": "/p/bench/bodies/board/register/gifts/",
    }
    print(f"{args.members} members, {args.bodies} bodies, {args.repeat} requests each")
    for name, url in pages.items():
        times = []
        queries: list[str] = []
        with connection.execute_wrapper(_Counter(queries)):
            client.get(url)
        tracemalloc.start()
        for _ in range(args.repeat):
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
            assert response.status_code == 200
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"{name:28} median {statistics.median(times) * 1000:7.1f} ms   "
            f"peak {peak / 1e6:6.1f} MB   {len(queries)} queries"
        )


if __name__ == "__main__":
    main()
