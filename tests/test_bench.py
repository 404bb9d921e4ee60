"""`make bench-quick`'s code path on tiny data, so the benchmark cannot rot.

Not a timed test: it builds a tiny partnership with the benchmark's own builder, makes its
sessions, and drives the measuring loop against the WSGI app in this process (the CPU clock is
the process's own), then checks that the table has every page with its query count and its
ratios. Serving under gunicorn is the only part left to `make bench-quick` itself.
"""

import argparse
import time

import pytest
from django.contrib import admin
from django.test import Client

from benchmarks.bench import __main__ as bench_main
from benchmarks.bench import build, measure
from benchmarks.bench.sizes import Sizes
from membership.models import Membership
from tests.test_url_access import drain

TINY = Sizes(
    bodies=3, people=12, big_body=8, meetings=3, big_meetings=1, items=3, entries=12,
    organisations=3, risks=2, key_partnerships=2, agreements=2,
)  # fmt: skip


@pytest.fixture
def bench_settings(settings):
    """The benchmark's settings over the tests' own: its URLs, the counter, its templates."""
    per_page = admin.site._registry[Membership].list_per_page
    settings.ROOT_URLCONF = "benchmarks.urls"
    settings.MIDDLEWARE = ["benchmarks.reference.QueryCountMiddleware", *settings.MIDDLEWARE]
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [
        {**engine, "DIRS": [*engine["DIRS"], settings.BASE_DIR / "benchmarks" / "templates"]}
    ]
    yield settings
    # benchmarks/urls.py pages the admin's memberships by 50; the other tests expect 100.
    admin.site._registry[Membership].list_per_page = per_page


def test_bench_quick_measures_every_page_against_its_floors(db, bench_settings):
    build.build(sizes=TINY, partnerships=1)
    pages, sessions = build.pages()
    client = Client()

    def send(url: str, role: str) -> measure.Reply:
        client.cookies.clear()
        if role != "public":
            client.cookies[bench_settings.SESSION_COOKIE_NAME] = sessions[role]
        response = client.get(url)
        body = drain(response)
        return measure.Reply(response.status_code, int(response["X-Queries"]), len(body))

    figures = measure.measure(
        build.page_dicts(pages),
        send=send,
        cpu=time.process_time,
        rounds=1,
        seconds=60,
        batch_seconds=0,
        min_requests=1,
        max_requests=1,
    )
    rows = measure.judge(figures)
    text = measure.table(rows)

    names = {p.name for p in pages}
    assert {"F0", "L0", "admin", "meeting", "interests register", "account tasks"} <= names
    assert len(rows) == len(pages) == len(text.splitlines()) - 2
    for row in rows:
        f = row.figures
        assert f.status == 200, f"{f.label} answered {f.status}"
        assert f.queries is not None and f.queries >= 1, f.label
        assert len(f.cpu) == 1 and len(row.l0) == 1 and len(row.f0) == 1, f.label
        assert row.verdict in {"PASS", "FAIL", "reference"}, f.label
        assert f"| {f.name} | {f.role} | {f.kind} | {f.queries} |" in text
    growth, _ = measure.growth_table(figures, figures)
    assert len(growth.splitlines()) == len(pages) + 2
    # With --growth the 10× size is judged against its own floors too, and can fail the run.
    args = argparse.Namespace(scale=1, quick=True, partnerships=1)
    text, failed = bench_main.report(args, figures, growth, figures)
    assert text.count("| page | role | kind |") == 2 and "## At 10×" in text
    assert "## Growth: 1× against 10×" in text
    assert failed == any(r.verdict == "FAIL" for r in rows)


def test_each_size_has_a_database_of_its_own():
    quick, full, larger = Sizes.of(quick=True), Sizes.of(), Sizes.of(scale=10)
    assert (full.people, full.big_body, full.meetings, full.entries) == (2000, 420, 145, 1959)
    assert (larger.people, larger.meetings, larger.entries) == (20000, 1450, 19590)
    assert len({quick.key(1), full.key(1), larger.key(1), full.key(2)}) == 4


def test_the_builder_builds_several_partnerships_side_by_side(db):
    """`--partnerships K` (up to 50 in the issue): each its own slug, people and bodies."""
    from partnership.models import Partnership

    build.build(sizes=TINY, partnerships=2)
    built = Partnership.objects.filter(slug__startswith="bench-").order_by("slug")
    assert [p.slug for p in built] == ["bench-1", "bench-2"]
    for p in built:
        assert p.bodies.count() == TINY.bodies
        members = Membership.objects.filter(body__partnership=p)
        assert members.filter(body__slug=build.BIG).count() == TINY.big_body
        assert not members.exclude(person__email__endswith=f"@p{p.slug[-1]}.bench.example")
