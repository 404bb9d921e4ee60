"""The performance dashboard against the organisations list, on the same data.

    DJANGO_DEBUG=true .venv/bin/python benchmarks/bench_dashboard.py [--indicators 200]

Issue 9 asks that the dashboard with 200 indicators and eight quarters of data renders within
3x the organisations list. Both pages are requested by the same co-ordinator from the same
database, in interleaved rounds (dashboard, list; then list, dashboard; ...), so a machine that
slows down part way through slows both alike. Each request is measured as the server's CPU
time (``time.process_time``: with SQLite the database work runs in this process, so it is
counted too), and the ratio is of the medians, from this one run.

Builds a throwaway partnership in a fresh SQLite database under var/bench/ (or the database
DATABASE_URL names: use a scratch one; with PostgreSQL the database's own CPU is not counted).
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnership.settings")
os.environ.setdefault(
    "DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench' / 'bench_dashboard.sqlite3'}"
)


class _Counter:
    def __init__(self, seen: list[str]):
        self.seen = seen

    def __call__(self, execute, sql, params, many, context):
        self.seen.append(sql)
        return execute(sql, params, many, context)


def build(args):
    """A partnership of ``--bodies`` groups and ``--organisations`` organisations, each with a
    person sitting on a group for it; ``--indicators`` indicators spread over the groups and
    their outcomes, led by those people, each with targets and eight quarters of returns
    (the last awaiting sign-off, the rest signed off) and a realistic mix of ratings."""
    from django.utils import timezone

    from membership import services as ms
    from membership.models import User
    from partnership import services as ps
    from partnership.models import Partnership
    from partnership.periods import quarters_ending
    from performance import services as perf
    from performance.models import Indicator, Return, ReturnStatus, Target
    from performance.selectors import open_quarter

    start = timezone.localdate() - timedelta(days=800)
    p = Partnership.objects.create(name="Bench", slug="bench")
    coordinator = User.objects.create_user("bench@example.org", "x", full_name="Bench Co")
    ms.appointment_create(actor=None, person=coordinator, partnership=p, starts_on=start)
    board = ps.body_create(actor=None, partnership=p, name="Board", kind="partnership_board")
    groups, seats = [], []
    for i in range(args.bodies):
        group = ps.body_create(
            actor=None, partnership=p, name=f"Group {i}", kind="thematic_group", parent=board
        )
        groups.append(group)
        seats.append(ms.seat_create(actor=None, body=group, name="Partners", count=50, voting=True))
    people = []
    for i in range(args.organisations):
        org = ps.organisation_create(actor=None, partnership=p, name=f"Org {i}", sector="public")
        person = User.objects.create_user(f"p{i}@example.org", "x", full_name=f"Person {i}")
        ms.membership_create(
            actor=None,
            body=groups[i % len(groups)],
            seat=seats[i % len(groups)],
            person=person,
            organisation=org,
            starts_on=start,
        )
        people.append(person)
    outcomes = [
        perf.outcome_create(
            actor=None,
            partnership=p,
            body=groups[i % len(groups)],
            code=f"O{i}",
            title=f"Outcome {i}",
            kind="priority",
        )
        for i in range(args.bodies * 2)
    ]
    indicators = Indicator.objects.bulk_create(
        Indicator(
            partnership=p,
            body=groups[i % len(groups)],
            outcome=outcomes[i % len(outcomes)],
            code=f"I{i:04d}",
            title=f"Indicator {i}",
            unit="number",
            polarity="higher" if i % 2 else "lower",
            lead=people[i % len(people)],
            published=i % 4 != 0,
        )
        for i in range(args.indicators)
    )
    last = open_quarter()
    periods = quarters_ending(last, 8)
    Target.objects.bulk_create(
        Target(indicator=i, year=y, value=Decimal(100))
        for i in indicators
        for y in sorted({q.year for q in periods})
    )
    now = timezone.now()
    rags = ["green", "green", "amber", "red", "green", "no_target"]
    signer = coordinator
    Return.objects.bulk_create(
        Return(
            indicator=i,
            year=q.year,
            quarter=q.number,
            status=ReturnStatus.SUBMITTED if q == last else ReturnStatus.SIGNED_OFF,
            value=Decimal(80 + (i.pk * 7 + n * 3) % 40),
            target_value=Decimal(100),
            rag=rags[(i.pk + n) % len(rags)],
            direction=["improving", "worsening", "no_change"][(i.pk + n) % 3],
            direction_year="not_comparable",
            submitted_by=i.lead,
            submitted_at=now,
            signed_off_by=None if q == last else signer,
            signed_off_at=None if q == last else now,
        )
        for i in indicators
        for n, q in enumerate(periods)
    )
    return p, coordinator


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--indicators", type=int, default=200)
    parser.add_argument("--organisations", type=int, default=50)
    parser.add_argument("--bodies", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()

    from benchmarks.scratch import scratch_django

    scratch_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections, connection
    from django.test import Client
    from django.urls import reverse

    # As in Django's test runner: keep one connection so its queries can be counted.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)

    p, coordinator = build(args)
    client = Client()
    client.force_login(coordinator)
    pages = {
        "dashboard": reverse("performance:dashboard", kwargs={"partnership": p.slug}),
        "organisations": reverse("partnership:organisation_list", kwargs={"partnership": p.slug}),
    }
    for name, page in pages.items():
        queries: list[str] = []
        with connection.execute_wrapper(_Counter(queries)):
            response = client.get(page)  # also warms templates and caches
        assert response.status_code == 200, name
        print(f"{name:14} {len(queries)} queries, {len(response.content) / 1000:.0f} kB")

    cpu: dict[str, list[float]] = {name: [] for name in pages}
    order = list(pages)
    for round_ in range(args.rounds):
        for name in order if round_ % 2 == 0 else reversed(order):
            started = time.process_time()
            response = client.get(pages[name])
            cpu[name].append(time.process_time() - started)
            assert response.status_code == 200
    medians = {name: statistics.median(times) * 1000 for name, times in cpu.items()}
    print(
        f"{args.indicators} indicators x 8 quarters, {args.organisations} organisations, "
        f"{args.rounds} interleaved rounds, {connection.vendor}"
    )
    for name, times in cpu.items():
        low, high = min(times) * 1000, max(times) * 1000
        print(f"{name:14} median {medians[name]:6.1f} ms CPU (min {low:.1f}, max {high:.1f})")
    ratio = medians["dashboard"] / medians["organisations"]
    print(f"ratio dashboard / organisations: {ratio:.2f} (the issue asks for at most 3)")


if __name__ == "__main__":
    main()
