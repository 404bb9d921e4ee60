"""Search over 100,000 documents against the organisations list, in one run (issue 17).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/partnership_searchbench \\
        DJANGO_DEBUG=true .venv/bin/python benchmarks/search_bench.py [--entries 100000]

Builds a partnership with 120 organisations and ``--entries`` search entries (titles and texts
of realistic length, drawn from a vocabulary of local-government words, so common words match
thousands and rare ones a few), kept in the database named (created if missing, rebuilt with
``--rebuild``: use a scratch one), or an SQLite file under var/bench/. Then, in interleaved
rounds, each page is requested ``--batch`` times in-process through Django's test client, in a
new order each round, as the public and as a co-ordinator; each round gives the ratio of each
search's median time to the organisations list's as the same reader (the floor: a signed-in
request's session, user and rights cost the same on both pages). The goal: at most 3× on
PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnership.settings")
os.environ.setdefault(
    "DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench' / 'search_bench.sqlite3'}"
)

# Words in the order of how often they are written (Zipf's law: the n-th is used about 1/n as
# often as the first), as in real papers: stop words, then the partnership's own vocabulary,
# then some 20,000 others, among them a few rarer topics.
STOP = [
    "the",
    "of",
    "and",
    "to",
    "a",
    "in",
    "for",
    "on",
    "with",
    "at",
    "by",
    "from",
    "is",
    "was",
    "be",
    "are",
    "as",
    "that",
    "this",
    "it",
    "will",
]
COMMON = [
    "partnership",
    "board",
    "meeting",
    "community",
    "safety",
    "plan",
    "report",
    "members",
    "council",
    "group",
    "health",
    "services",
    "budget",
    "review",
    "strategy",
    "children",
    "young",
    "people",
    "housing",
    "police",
    "fire",
    "local",
    "area",
    "delivery",
    "performance",
    "risk",
    "agreement",
    "officer",
    "chair",
    "minutes",
    "agenda",
    "paper",
    "decision",
    "action",
    "priority",
    "funding",
    "partners",
    "county",
    "district",
    "voluntary",
    "sector",
    "public",
    "consultation",
]
RARE = [
    "allotments",
    "hedgerows",
    "fly-tipping",
    "graffiti",
    "dementia",
    "loneliness",
    "cycling",
    "apprenticeships",
    "flooding",
    "libraries",
    "foodbanks",
    "homelessness",
    "scams",
    "vaping",
    "potholes",
    "recycling",
    "carers",
    "veterans",
]
QUERIES = {
    "search: two common words": "community safety",
    "search: a rare word": "hedgerows",
    "search: the commonest word": "partnership",
}


def vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    syllables = [c + v for c in "bcdfghjklmnprstvwz" for v in ("a", "e", "i", "o", "u", "ou")]
    others = {"".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(22_000)}
    others = sorted(others - set(COMMON) - set(RARE))
    words = STOP + COMMON + others[:2_000] + RARE + others[2_000:20_000]
    total, cumulative = 0.0, []
    for rank in range(1, len(words) + 1):
        total += 1 / rank
        cumulative.append(total)
    return words, cumulative


def words(rng: random.Random, vocab: tuple[list[str], list[float]], n: int) -> str:
    return " ".join(rng.choices(vocab[0], cum_weights=vocab[1], k=n))


def build(entries: int) -> None:
    from django.contrib.contenttypes.models import ContentType

    from membership import services as ms
    from membership.models import User
    from partnership import services as ps
    from partnership.models import Body, Partnership, SearchAudience, SearchEntry, SearchKind

    p = Partnership.objects.create(name="Search Bench", slug="searchbench")
    coordinator = User.objects.create_user("bench@example.org", "x", full_name="Bench Co")
    ms.appointment_create(actor=None, person=coordinator, partnership=p, starts_on=date(2025, 1, 1))
    board = ps.body_create(actor=None, partnership=p, name="Board", kind="partnership_board")
    bodies = [board] + [
        ps.body_create(actor=None, partnership=p, name=f"Group {i}", kind="forum", parent=board)
        for i in range(20)
    ]
    for i in range(120):
        ps.organisation_create(actor=None, partnership=p, name=f"Organisation {i}", sector="public")
    rng = random.Random(17)
    vocab = vocabulary(rng)
    ct = ContentType.objects.get_for_model(Body)
    kinds = [k for k, _ in SearchKind.choices]
    audiences = [SearchAudience.PUBLIC] * 6 + [SearchAudience.MEMBERS, SearchAudience.MANAGERS]
    SearchEntry.objects.filter(partnership=p).delete()
    batch = []
    for i in range(entries):
        batch.append(
            SearchEntry(
                partnership=p,
                body=rng.choice(bodies),
                kind=rng.choice(kinds),
                content_type=ct,
                object_id=i + 1,
                title=words(rng, vocab, rng.randint(3, 9)).capitalize(),
                text=words(rng, vocab, rng.randint(40, 400)),
                on_date=date(2020, 1, 1) + timedelta(days=rng.randint(0, 2500)),
                url=f"/p/searchbench/somewhere/{i}/",
                audience=rng.choice(audiences),
            )
        )
        if len(batch) == 2000:
            SearchEntry.objects.bulk_create(batch)
            batch = []
            print(f"  {i + 1} entries", end="\r", flush=True)
    SearchEntry.objects.bulk_create(batch)
    print()


def _floor(name: str) -> str:
    """The organisations list as the same reader."""
    return "organisations (co-ordinator)" if name.endswith("(co-ordinator)") else "organisations"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from membership.models import User
    from partnership.models import Partnership, SearchEntry

    settings.ALLOWED_HOSTS = ["testserver"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)
    existing = Partnership.objects.filter(slug="searchbench").first()
    if existing is None or args.rebuild or SearchEntry.objects.count() != args.entries:
        if existing is not None:
            raise SystemExit("The database holds another build: use a new one, or drop it.")
        started = time.perf_counter()
        build(args.entries)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE partnership_searchentry")
        print(f"built in {time.perf_counter() - started:.0f} s")

    public = Client()
    coordinator = Client()
    coordinator.force_login(User.objects.get(email="bench@example.org"))
    # As signing in leaves it: the second factor given (membership/middleware.py).
    from membership.middleware import VERIFIED

    session = coordinator.session
    session[VERIFIED] = User.objects.get(email="bench@example.org").pk
    session.save()
    # Each reader's floor is the organisations list as that reader: a signed-in request
    # carries its session, its user and their rights whatever the page.
    pages = {
        "organisations": (public, "/p/searchbench/organisations/", {}),
        "organisations (co-ordinator)": (coordinator, "/p/searchbench/organisations/", {}),
    }
    for name, q in QUERIES.items():
        pages[name] = (public, "/p/searchbench/search/", {"q": q})
        pages[f"{name} (co-ordinator)"] = (coordinator, "/p/searchbench/search/", {"q": q})
    for client, url, params in pages.values():  # warm up
        response = client.get(url, params)
        assert response.status_code == 200, (url, response.status_code)

    rng = random.Random(1)
    times: dict[str, list[float]] = {name: [] for name in pages}
    floors = {name: _floor(name) for name in pages if not name.startswith("organisations")}
    ratios: dict[str, list[float]] = {name: [] for name in floors}
    for _ in range(args.rounds):
        order = list(pages)
        rng.shuffle(order)
        this_round = {}
        for name in order:
            client, url, params = pages[name]
            took = []
            for _ in range(args.batch):
                start = time.perf_counter()
                client.get(url, params)
                took.append(time.perf_counter() - start)
            this_round[name] = statistics.median(took)
            times[name].append(this_round[name])
        for name in ratios:
            ratios[name].append(this_round[name] / this_round[floors[name]])

    print(
        f"{connection.vendor}, {SearchEntry.objects.count()} entries, "
        f"{args.rounds} rounds of {args.batch} requests"
    )
    print(f"{'page':44} {'median ms':>9}  {'× organisations as the same reader (min–max)':>46}")
    worst = 0.0
    for name in pages:
        median = statistics.median(times[name]) * 1000
        if name not in floors:
            print(f"{name:44} {median:9.1f}")
            continue
        r = ratios[name]
        worst = max(worst, statistics.median(r))
        print(f"{name:44} {median:9.1f}  {statistics.median(r):8.2f} ({min(r):.2f}–{max(r):.2f})")
    print(f"worst median ratio {worst:.2f} (goal: at most 3)")


if __name__ == "__main__":
    main()
