"""A meeting's agenda pack against its floor: plain WeasyPrint plus one pypdf append.

    .venv/bin/python benchmarks/bench_pack.py [--rounds 8] [--items 10] [--papers 8]

Issue 14 asks that the agenda pack costs at most 1.1x its floor in CPU, with memory per render
reported. The script builds a throwaway partnership in a fresh SQLite database under
var/bench/pack/ (or the database DATABASE_URL names: a scratch one, it is migrated and filled)
with one published Board meeting of ``--items`` agenda items (the standing ones included) and
``--papers`` circulated PDF papers of 5 to 20 pages each, made here with WeasyPrint. Then, in
interleaved rounds (ours, floor; then floor, ours; ...), it measures the members' pack:

- ours: ``governance.documents.render_agenda_pack`` (the facts from the database, reading the
  papers from storage, the template, layout, the tagged PDF and appending the papers);
- floor: ``weasyprint.HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")`` of the HTML ours
  renders, with the same URL fetcher, then one ``PdfWriter`` that clones it, appends each paper
  (already in memory) once with its bookmark, and writes the file.

Each is CPU time in this process (``time.process_time``: with SQLite the database work is
counted too); the ratio is of the medians, from this one run. Memory is the peak of Python's
allocations (``tracemalloc``) during one more run of each, which leaves out what Pango and
HarfBuzz allocate in C; the process's peak resident size is printed beside it.

    --each      print every round's CPU times as well as the medians
    --profile   print a pyinstrument profile of one render of ours (pip install pyinstrument)
"""

import argparse
import gc
import io
import os
import resource
import statistics
import sys
import time
import tracemalloc
from datetime import date, timedelta
from datetime import time as clock
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "var" / "bench" / "pack"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnership.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")
# The papers, the renditions and the embedded broker's queue (adding a paper queues a render
# nobody runs) under the benchmark's own folder; e-mails kept in memory.
os.environ.setdefault("PARTNERSHIP_VAR_DIR", str(BENCH))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{BENCH / 'bench_pack.sqlite3'}")
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"

PAPER_PAGES = [5, 8, 12, 20, 6, 15, 10, 18]
WORDS = (
    "The partnership board is asked to note the progress made against the delivery plan in "
    "the last quarter, the risks the thematic groups have escalated and the budget position. "
    "Spending is within the agreed limit; two indicators are off track and have exception "
    "reports attached. "
)


def paper_pdf(title: str, pages: int) -> bytes:
    """A paper of exactly ``pages`` A4 pages of headings, text and a table, as a partner
    would send it (not tagged: most papers are not)."""
    from weasyprint import HTML

    body = []
    for page in range(1, pages + 1):
        rows = "".join(
            f"<tr><td>Indicator {page}.{n}</td><td>{n * 7 % 100}%</td><td>On track</td></tr>"
            for n in range(1, 9)
        )
        body.append(
            f'<section style="break-after: page"><h2>{title}: section {page}</h2>'
            + f"<p>{WORDS * 4}</p><table>{rows}</table><p>{WORDS * 2}</p></section>"
        )
    html = f'<html lang="en-GB"><title>{title}</title><body>{"".join(body)}</body></html>'
    return HTML(string=html).write_pdf()


def build(*, items: int, papers: int):
    from governance import services as gs
    from governance.models import Meeting
    from membership import services as ms
    from membership.models import User
    from partnership import services as ps
    from partnership.models import Partnership

    start = date.today() - timedelta(days=30)
    p = Partnership.objects.create(name="Bench Partnership", slug="bench")
    coordinator = User.objects.create_user("co@example.org", "x", full_name="Partnership Co")
    owner = User.objects.create_user("owner@example.org", "x", full_name="Paper Owner")
    ms.appointment_create(actor=None, person=coordinator, partnership=p, starts_on=start)
    board = ps.body_create(actor=None, partnership=p, name="Board", kind="partnership_board")
    meeting = gs.meeting_create(
        actor=coordinator,
        body=board,
        held_on=date.today() + timedelta(days=14),
        start_time=clock(10, 0),
        end_time=clock(12, 30),
        venue="Council House, Committee Room 1",
    )
    added = []
    for n in range(max(0, items - meeting.items.count())):
        added.append(
            gs.item_add(
                actor=coordinator,
                meeting=meeting,
                title=f"Item {n + 1}: delivery plan progress",
                presenter="Thematic group chair",
                purpose="decision",
                decision_required="To agree the recommendations",
                # Every third item confidential, so the members' pack is the larger one.
                confidential=n % 3 == 2,
                confidential_reason="Commercially sensitive" if n % 3 == 2 else "",
            )
        )
    pages = 0
    for n in range(papers):
        count = PAPER_PAGES[n % len(PAPER_PAGES)]
        pages += count
        gs.paper_add(
            actor=coordinator,
            item=added[n % len(added)],
            title=f"Paper {n + 1}",
            owner=owner,
            main_issues=WORDS,
            decision_required="Agree the recommendations",
            upload=(f"paper{n + 1}.pdf", paper_pdf(f"Paper {n + 1}", count)),
        )
    gs.meeting_publish(actor=coordinator, meeting=meeting)
    gs.papers_circulate(actor=coordinator, meeting=meeting)
    meeting = Meeting.objects.select_related("body__partnership").get(pk=meeting.pk)
    return meeting, pages


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--items", type=int, default=10)
    parser.add_argument("--papers", type=int, default=8)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--each", action="store_true", help="print every round's times")
    args = parser.parse_args()

    from benchmarks.scratch import scratch_django

    scratch_django()
    from django.core.management import call_command
    from django.db import connection
    from pypdf import PdfReader, PdfWriter
    from weasyprint import HTML

    from governance import documents
    from governance.models import Audience
    from partnership import pdf as pdf_module
    from partnership.pdf import PDF_VARIANT, StaticFilesFetcher, _base_url

    call_command("migrate", verbosity=0)
    meeting, paper_pages = build(items=args.items, papers=args.papers)
    audience = Audience.MEMBERS

    def ours() -> bytes:
        return documents.render_agenda_pack(meeting=meeting, audience=audience)

    # The HTML ours lays out last (the final one, footers and all), and the papers' bytes.
    seen: list[str] = []
    original = pdf_module.HTML

    def capture(*a, **kw):
        seen.append(kw["string"])
        return original(*a, **kw)

    pdf_module.HTML = capture
    try:
        result = ours()  # also warms templates, fonts and caches, as a worker's first job would
    finally:
        pdf_module.HTML = original
    html = seen[-1]
    facts = documents._agenda_facts(meeting, audience)
    papers = [
        (f"Appendix {n}: {paper['title']}", documents._paper_bytes(paper["file"]))
        for n, paper in enumerate(facts["papers"], start=1)
        if paper["file_type"] == "pdf"
    ]

    def floor() -> bytes:
        front = HTML(string=html, base_url=_base_url(), url_fetcher=StaticFilesFetcher())
        front_pdf = front.write_pdf(pdf_variant=PDF_VARIANT)
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(front_pdf)))
        for title, data in papers:
            writer.append(PdfReader(io.BytesIO(data)), outline_item=title)
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()

    floor()
    cpu: dict[str, list[float]] = {"ours": [], "floor": []}
    for round_ in range(args.rounds):
        order = ["ours", "floor"] if round_ % 2 == 0 else ["floor", "ours"]
        for name in order:
            run = ours if name == "ours" else floor
            # Each starts from a collected heap: otherwise a collection of what the other left
            # behind lands in whichever run happens to trigger it.
            gc.collect()
            started = time.process_time()
            run()
            cpu[name].append(time.process_time() - started)

    peaks = {}
    for name, run in (("ours", ours), ("floor", floor)):
        tracemalloc.start()
        run()
        peaks[name] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux

    pages = len(PdfReader(io.BytesIO(result)).pages)
    medians = {name: statistics.median(times) for name, times in cpu.items()}
    print(
        f"members' pack: {len(facts['items'])} items, {len(papers)} papers of {paper_pages} "
        f"pages, {pages} pages in all, {len(result) / 1000:.0f} kB; {args.rounds} interleaved "
        f"rounds ({connection.vendor})"
    )
    for name, times in cpu.items():
        print(
            f"{name:6} median {medians[name]:.3f} s CPU (min {min(times):.3f}, "
            f"max {max(times):.3f}); peak Python allocations {peaks[name] / 1e6:.1f} MB"
        )
    if args.each:
        pairs = zip(cpu["ours"], cpu["floor"], strict=True)
        print("each round, ours/floor: " + " ".join(f"{o:.2f}/{f:.2f}" for o, f in pairs))
    print(f"ratio  {medians['ours'] / medians['floor']:.3f} (the issue asks for at most 1.1)")
    print(f"process peak resident {rss:.0f} MB")

    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler()
        profiler.start()
        ours()
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main()
