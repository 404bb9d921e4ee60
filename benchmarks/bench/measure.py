"""The measuring loop, the figures and the table; independent of how requests are served.

A *transport* sends one request and says how it went; a *CPU clock* reads the server's CPU
seconds so far. Under gunicorn those are HTTP to 127.0.0.1 and the workers' /proc stat; the
test (tests/test_bench.py) drives the same loop against the WSGI app in its own process.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

GOALS = {"list": 1.5, "detail": 2.0}  # the most CPU a page may cost, as a multiple of L0
GROWTH_GOAL = 1.5


@dataclass
class Reply:
    status: int
    queries: int | None
    size: int


Transport = Callable[[str, str], Reply]  # (url, role) -> Reply
CpuClock = Callable[[], float]


@dataclass
class Figures:
    """What one page, for one role, measured over the rounds."""

    name: str
    role: str
    kind: str
    url: str
    status: int = 0
    queries: int | None = None
    cpu: list[float] = field(default_factory=list)  # seconds a request, one a round
    walls: list[float] = field(default_factory=list)  # every request's seconds
    rates: list[float] = field(default_factory=list)  # requests a second, one a round

    @property
    def label(self) -> str:
        return f"{self.name} ({self.role})"

    @property
    def ok(self) -> bool:
        return self.status == 200


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(
    pages: list[dict],
    *,
    send: Transport,
    cpu: CpuClock,
    rounds: int,
    seconds: float,
    batch_seconds: float = 0.4,
    min_requests: int = 3,
    max_requests: int = 40,
    seed: int = 0,
    say: Callable[[str], None] = lambda line: None,
) -> list[Figures]:
    """Interleaved rounds: each round requests every page in a new order, N times each.

    N is set per page from a warm-up so each batch runs about ``batch_seconds``: the CPU
    clock ticks in hundredths of a second, so a batch must be long enough to read."""
    figures = [Figures(**{k: page[k] for k in ("name", "role", "kind", "url")}) for page in pages]
    counts = {}
    for f in figures:
        reply = send(f.url, f.role)  # warm the worker's caches; learn status and queries
        f.status, f.queries = reply.status, reply.queries
        if batch_seconds <= 0:
            counts[f.label] = min_requests
            continue
        started = time.perf_counter()
        for _ in range(2):
            send(f.url, f.role)
        each = (time.perf_counter() - started) / 2
        wanted = round(batch_seconds / max(each, 1e-4))
        counts[f.label] = max(min_requests, min(max_requests, wanted))
    live = [f for f in figures if f.ok]
    rng = random.Random(seed)
    deadline = time.monotonic() + seconds
    for n in range(rounds):
        if n and time.monotonic() > deadline:
            say(f"stopped after {n} rounds: the time bound ({seconds:.0f} s) was reached")
            break
        order = live[:]
        rng.shuffle(order)
        for f in order:
            requests = counts[f.label]
            before, started = cpu(), time.perf_counter()
            for _ in range(requests):
                t0 = time.perf_counter()
                send(f.url, f.role)
                f.walls.append(time.perf_counter() - t0)
            elapsed = time.perf_counter() - started
            f.cpu.append((cpu() - before) / requests)
            f.rates.append(requests / elapsed)
        say(f"round {n + 1} done")
    return figures


def _ratios(page: Figures, ref: Figures | None) -> list[float]:
    if ref is None or not ref.cpu:
        return []
    return [a / b for a, b in zip(page.cpu, ref.cpu, strict=False) if b > 0]


def _fmt(ratios: list[float]) -> str:
    if not ratios:
        return "–"
    return f"{statistics.median(ratios):.2f} ({min(ratios):.2f}–{max(ratios):.2f})"


@dataclass
class Row:
    figures: Figures
    f0: list[float]
    l0: list[float]
    admin: list[float]
    goal: float | None
    verdict: str


def judge(figures: list[Figures]) -> list[Row]:
    """Each page against the floors of the same rounds. A page fails only when even its best
    round (the smallest ratio to L0) misses its goal: beyond the round-to-round spread."""
    refs = {f.name: f for f in figures if f.kind == "reference"}
    rows = []
    for f in figures:
        l0 = _ratios(f, refs.get("L0"))
        goal = GOALS.get(f.kind)
        if not f.ok:
            verdict = f"ERROR {f.status}"
        elif goal is None:
            verdict = "reference"
        elif not l0:
            verdict = "no figures"
        else:
            verdict = "PASS" if min(l0) <= goal else "FAIL"
        rows.append(
            Row(f, _ratios(f, refs.get("F0")), l0, _ratios(f, refs.get("admin")), goal, verdict)
        )
    return rows


def table(rows: list[Row]) -> str:
    lines = [
        "| page | role | kind | queries | CPU ms/request | wall p50 / p95 ms | req/s "
        "| × F0 | × L0 | × admin | goal | result |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        f = r.figures
        cpu = f"{statistics.median(f.cpu) * 1000:.1f}" if f.cpu else "–"
        wall = (
            f"{_percentile(f.walls, 0.5) * 1000:.0f} / {_percentile(f.walls, 0.95) * 1000:.0f}"
            if f.walls
            else "–"
        )
        rate = f"{statistics.median(f.rates):.1f}" if f.rates else "–"
        goal = f"≤ {r.goal}× L0" if r.goal else "–"
        queries = "–" if f.queries is None else str(f.queries)
        lines.append(
            f"| {f.name} | {f.role} | {f.kind} | {queries} | {cpu} | {wall} | {rate} "
            f"| {_fmt(r.f0)} | {_fmt(r.l0)} | {_fmt(r.admin)} | {goal} | {r.verdict} |"
        )
    return "\n".join(lines)


def growth_table(small: list[Figures], large: list[Figures]) -> tuple[str, bool]:
    """Each page's CPU a request at 1× and at 10×; the goal is at most 1.5× growth."""
    bigger = {f.label: f for f in large}
    lines = [
        "| page | role | queries 1× / 10× | CPU ms 1× | CPU ms 10× | growth | goal | result |",
        "|---|---|---|---|---|---|---|---|",
    ]
    failed = False
    for f in small:
        g = bigger.get(f.label)
        if not (f.cpu and g and g.cpu):
            continue
        a, b = statistics.median(f.cpu), statistics.median(g.cpu)
        growth = b / a if a else float("inf")
        verdict = (
            "reference" if f.kind == "reference" else "PASS" if growth <= GROWTH_GOAL else "FAIL"
        )
        failed |= verdict == "FAIL"
        lines.append(
            f"| {f.name} | {f.role} | {f.queries} / {g.queries} | {a * 1000:.1f} | {b * 1000:.1f} "
            f"| {growth:.2f} | ≤ {GROWTH_GOAL} | {verdict} |"
        )
    return "\n".join(lines), failed
