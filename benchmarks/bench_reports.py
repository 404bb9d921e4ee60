"""The demo partnership's annual report, end to end, against plain WeasyPrint on the same HTML.

    .venv/bin/python benchmarks/bench_reports.py [--rounds 10]

Issue 10 asks that the annual report of the demo partnership, from its facts to a stored PDF
through the render job, takes within 1.1x of plain WeasyPrint rendering the same HTML, and
under 0.5 s and 7 MB per page. The script loads the demo (what ``make demo`` loads) into a
fresh database under var/bench/reports/ (or the one DATABASE_URL names: a scratch one, it is
migrated and filled), builds last year's annual report with ``annual_build`` and then, in
interleaved rounds (ours, plain; then plain, ours; ...), measures:

- ours: ``annual_build`` (gathering the year's facts from the database; an unchanged report is
  not saved again) and ``report_render`` (charts, template, layout, the tagged PDF, storing the
  file and updating the row, progress included), its stored fingerprint cleared before each
  round so that it renders;
- plain: ``weasyprint.HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")`` of the HTML the job
  renders, with the same URL fetcher: the same tagged PDF/UA-1 output, nothing else.

Each is CPU time in this process (``time.process_time``: with SQLite the database work is
counted too); the ratio is of the medians, from this one run. Memory per page is the peak of
Python's allocations (``tracemalloc``) during one more run of ours, divided by its pages,
which leaves out what Pango and HarfBuzz allocate in C; the process's peak resident size is
printed beside it for that.
"""

import argparse
import os
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "var" / "bench" / "reports"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnership.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")  # the demo loaders are for development
# Files, the embedded broker's queue (the demo queues renders nobody runs) and the database
# all under the benchmark's own folder; the demo's e-mails kept in memory.
os.environ.setdefault("PARTNERSHIP_VAR_DIR", str(BENCH))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{BENCH / 'bench_reports.sqlite3'}")
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"


def load_demo() -> float:
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    for command in (
        "load_demo",
        "load_demo_meetings",
        "load_demo_performance",
        "load_demo_reports",
    ):
        call_command(command, stdout=open(os.devnull, "w"))  # noqa: SIM115 - closed at exit
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()

    from benchmarks.scratch import scratch_django

    scratch_django()
    from django.db import connection
    from django.utils import timezone
    from weasyprint import HTML

    from membership.models import User
    from partnership.models import Partnership
    from partnership.pdf import PDF_VARIANT, StaticFilesFetcher, _base_url
    from partnership.periods import financial_year
    from performance import services
    from performance.models import Report
    from performance.services.reports.rendering import report_html, report_render

    print(f"demo loaded in {load_demo():.0f} s ({connection.vendor})")
    partnership = Partnership.objects.get(slug="demo")
    coordinator = User.objects.filter(
        appointments__partnership=partnership, appointments__body__isnull=True
    ).first()
    year = financial_year(timezone.localdate()) - 1

    def ours() -> Report:
        report = services.annual_build(actor=coordinator, partnership=partnership, year=year)
        assert report_render(report_id=report.pk), "the report was not rendered"
        return report

    def force_render(report: Report) -> None:
        Report.objects.filter(pk=report.pk).update(pdf_fingerprint="")

    report = services.annual_build(actor=coordinator, partnership=partnership, year=year)
    force_render(report)
    ours()  # warms templates, fonts and caches, as a worker's first job would
    report.refresh_from_db()
    html = report_html(report)

    def plain() -> bytes:
        return HTML(string=html, base_url=_base_url(), url_fetcher=StaticFilesFetcher()).write_pdf(
            pdf_variant=PDF_VARIANT
        )

    plain()
    cpu: dict[str, list[float]] = {"ours": [], "plain": []}
    for round_ in range(args.rounds):
        order = ["ours", "plain"] if round_ % 2 == 0 else ["plain", "ours"]
        for name in order:
            if name == "ours":
                force_render(report)
                started = time.process_time()
                ours()
            else:
                started = time.process_time()
                plain()
            cpu[name].append(time.process_time() - started)

    report.refresh_from_db()
    pages = report.pdf_pages
    size = report.pdf.size
    force_render(report)
    tracemalloc.start()
    ours()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux

    # Where ours spends what plain does not: the facts, and the charts and template.
    steps: dict[str, list[float]] = {"facts": [], "charts and template": []}
    for _ in range(5):
        started = time.process_time()
        services.annual_build(actor=coordinator, partnership=partnership, year=year)
        steps["facts"].append(time.process_time() - started)
        started = time.process_time()
        report_html(report)
        steps["charts and template"].append(time.process_time() - started)

    medians = {name: statistics.median(times) for name, times in cpu.items()}
    print(
        f"annual report {report.facts['period']}: {pages} pages, {size / 1000:.0f} kB PDF, "
        f"{len(html) / 1000:.0f} kB HTML; {args.rounds} interleaved rounds"
    )
    for name, times in cpu.items():
        print(
            f"{name:6} median {medians[name]:.2f} s CPU "
            f"(min {min(times):.2f}, max {max(times):.2f}); {medians[name] / pages:.3f} s a page"
        )
    print(f"ratio  {medians['ours'] / medians['plain']:.3f} (the issue asks for at most 1.1)")
    print(
        "of ours: "
        + ", ".join(f"{name} {statistics.median(t) * 1000:.0f} ms" for name, t in steps.items())
    )
    print(
        f"memory peak Python allocations {peak / 1e6:.1f} MB, {peak / 1e6 / pages:.2f} MB a page; "
        f"process peak resident {rss:.0f} MB"
    )


if __name__ == "__main__":
    main()
