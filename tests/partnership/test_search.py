"""The search index and its queries, on whichever database the suite runs (SQLite locally,
PostgreSQL in CI): ranking, stemming, safe queries and highlighting, the index kept up to date
by the hooks, and who finds what."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.utils import timezone

from governance import services as gs
from partnership.models import Body, SearchAudience, SearchEntry, SearchKind
from partnership.search.indexing import rebuild, reindex_now
from partnership.search.query import Filters, highlight, search, terms_of, words_of
from partnership.tasks_follow import rebuild_search_index
from tests.governance.helpers import build_meetings

_next_id = iter(range(10_000, 100_000))


def entry(world, title, text="", *, kind=SearchKind.PAPER, on_date=None, **fields):
    return SearchEntry.objects.create(
        partnership=world.partnership,
        content_type=ContentType.objects.get_for_model(Body),
        object_id=next(_next_id),
        kind=kind,
        title=title,
        text=text,
        on_date=on_date,
        url=f"/somewhere/{title[:10]}",
        audience=fields.pop("audience", SearchAudience.PUBLIC),
        **fields,
    )


def found(world, query, user=None, **filters):
    results = search(
        user=user or AnonymousUser(),
        partnership=world.partnership,
        query=query,
        filters=Filters(**filters),
    )
    return [h.entry.title for h in results.hits]


# --- ranking, stemming, queries -----------------------------------------------------------------


def test_a_title_match_ranks_above_a_match_in_the_text(world):
    entry(world, "Annual report", "Mentions the budget once, in passing.")
    entry(world, "Budget 2026", "The year's money.")
    assert found(world, "budget") == ["Budget 2026", "Annual report"]


def test_more_matches_rank_first(world):
    entry(world, "Plan A", "Housing. Other things entirely, nothing to say here.")
    entry(world, "Plan B", "Housing, housing and more housing: housing is the plan.")
    assert found(world, "housing") == ["Plan B", "Plan A"]


def test_ties_are_broken_by_the_newest_date(world):
    entry(world, "Old", "Youth services", on_date=date(2024, 1, 1))
    entry(world, "New", "Youth services", on_date=date(2026, 1, 1))
    assert found(world, "youth") == ["New", "Old"]


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("Meeting of the Board", "meetings"),
        ("Board meetings for the year", "meeting"),
        ("The plan was approved", "approve"),
        ("To approve the plan", "approved"),
        ("Organisations represented", "organisation"),
    ],
)
def test_english_stemming_finds_other_forms_of_a_word(world, stored, typed):
    entry(world, stored)
    assert found(world, typed) == [stored]


def test_every_word_typed_must_be_found(world):
    entry(world, "Community safety plan")
    entry(world, "Community cohesion")
    assert found(world, "community safety") == ["Community safety plan"]
    assert found(world, "safety cohesion") == []


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "'",
        "OR",
        "NOT",
        "AND",
        "-",
        "*",
        "title:x",
        "NEAR(a b)",
        "a OR",
        '"unclosed',
        "^",
        "()",
    ],
)
def test_what_the_user_types_is_never_search_syntax(world, query):
    entry(world, "Budget", "OR NOT AND near title")
    # No error, whatever was typed; nothing to search for is no results, not an error.
    search(user=AnonymousUser(), partnership=world.partnership, query=query)


def test_a_query_of_punctuation_alone_finds_nothing(world):
    entry(world, "Budget")
    assert found(world, "!!! ???") == []
    assert terms_of("Crime & disorder: 2026!") == ["crime", "disorder", "2026"]


def test_matched_words_are_marked_and_everything_else_is_escaped(world):
    entry(
        world,
        "<script>alert(1)</script> budget",
        "The <b>budget</b> & <img src=x onerror=alert(1)> plan for the budget year.",
    )
    results = search(user=AnonymousUser(), partnership=world.partnership, query="budget")
    (hit,) = results.hits
    for html in (str(hit.title), str(hit.snippet)):
        assert "<mark>budget</mark>" in html.lower()
        assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;" in str(hit.title)
    assert "&lt;img" in str(hit.snippet) and "&amp;" in str(hit.snippet)


def test_marks_are_always_paired_and_stray_ones_dropped():
    assert highlight("a \x02b\x03 c") == "a <mark>b</mark> c"
    assert highlight("\x03a \x02b") == "a <mark>b</mark>"
    assert highlight("\x02\x02a\x03\x03") == "<mark>a</mark>"
    assert highlight("<i>") == "&lt;i&gt;"


def test_the_index_never_holds_the_marks_themselves(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        body = Body.objects.get(pk=world.board.pk)
        body.remit = "Remit with \x02 marks \x03 in it"
        body.save()
    row = SearchEntry.objects.get(kind=SearchKind.BODY, object_id=world.board.pk)
    assert "\x02" not in row.text and "\x03" not in row.text


# --- filters and paging -------------------------------------------------------------------------


def test_filters_by_type_body_and_date(world):
    entry(
        world, "Paper on parks", kind=SearchKind.PAPER, body=world.board, on_date=date(2026, 5, 1)
    )
    entry(world, "Item on parks", kind=SearchKind.AGENDA_ITEM, body=world.group)
    entry(world, "News on parks", kind=SearchKind.NEWS, on_date=date(2025, 5, 1))
    assert set(found(world, "parks", kind=SearchKind.PAPER)) == {"Paper on parks"}
    assert set(found(world, "parks", body_id=world.group.pk)) == {"Item on parks"}
    assert set(found(world, "parks", date_from=date(2026, 1, 1))) == {"Paper on parks"}
    assert set(found(world, "parks", date_to=date(2025, 12, 31))) == {"News on parks"}


def test_counts_by_type_ignore_the_type_filter(world):
    entry(world, "Paper on parks", kind=SearchKind.PAPER)
    entry(world, "Another paper on parks", kind=SearchKind.PAPER)
    entry(world, "News on parks", kind=SearchKind.NEWS)
    results = search(
        user=AnonymousUser(),
        partnership=world.partnership,
        query="parks",
        filters=Filters(kind=SearchKind.NEWS),
    )
    assert results.total == 1
    assert results.by_kind == {SearchKind.PAPER: 2, SearchKind.NEWS: 1}


def test_results_are_paged_twenty_at_a_time(world):
    for n in range(25):
        entry(world, f"Parks {n}", on_date=date(2026, 1, 1) + timedelta(days=n))
    first = search(user=AnonymousUser(), partnership=world.partnership, query="parks")
    second = search(user=AnonymousUser(), partnership=world.partnership, query="parks", page=2)
    assert first.total == second.total == 25
    assert len(first.hits) == 20 and len(second.hits) == 5
    assert {h.entry.pk for h in first.hits}.isdisjoint({h.entry.pk for h in second.hits})


def test_another_partnerships_entries_are_never_found(world):
    from tests.factories import PartnershipFactory

    other = PartnershipFactory(name="Elsewhere", slug="elsewhere")
    entry(world, "Parks here")
    SearchEntry.objects.create(
        partnership=other,
        content_type=ContentType.objects.get_for_model(Body),
        object_id=1,
        kind=SearchKind.NEWS,
        title="Parks elsewhere",
        url="/x",
        audience=SearchAudience.PUBLIC,
    )
    assert found(world, "parks") == ["Parks here"]


# --- the index kept up to date ------------------------------------------------------------------


@pytest.fixture
def indexed(world, django_capture_on_commit_callbacks):
    """The world indexed, then the governance test meetings, indexed by the hooks as they
    were built."""
    rebuild()
    with django_capture_on_commit_callbacks(execute=True):
        return build_meetings(world)


def kinds_found(world, query, user=None):
    results = search(user=user or AnonymousUser(), partnership=world.partnership, query=query)
    return sorted(h.entry.kind for h in results.hits)


def test_what_is_built_is_indexed_as_it_is_saved(world, indexed):
    assert kinds_found(world, "community safety plan") == ["agenda_item", "paper"]
    assert kinds_found(world, "report noted") == ["minutes"]
    assert kinds_found(world, "report approved") == ["decision"]
    assert kinds_found(world, "Council House") == ["meeting"] * 3
    assert kinds_found(world, "Testshire Council") == ["person", "person"]
    assert kinds_found(world, "safer sub-group") == ["body"]


def test_a_scheduled_meeting_is_found_by_its_name_but_not_its_business(world, indexed):
    assert kinds_found(world, "DRAFTMEETING") == ["meeting"]
    assert kinds_found(world, "SECRETDRAFT") == []
    assert kinds_found(world, "SECRETDRAFT", world.chair) == ["agenda_item"]
    assert kinds_found(world, "SECRETDRAFT", world.coordinator) == ["agenda_item", "paper"]


def test_a_paper_made_confidential_is_no_longer_found_by_the_public(
    world, indexed, django_capture_on_commit_callbacks
):
    assert kinds_found(world, "burglary") == ["paper"]
    with django_capture_on_commit_callbacks(execute=True):
        gs.paper_update(
            actor=world.coordinator,
            paper=indexed.public_paper,
            confidential=True,
            confidential_reason="Named offenders",
        )
    assert kinds_found(world, "burglary") == []
    assert kinds_found(world, "burglary", world.member) == ["paper"]


def test_an_item_made_confidential_takes_its_papers_with_it(
    world, indexed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        gs.item_update(
            actor=world.coordinator,
            item=indexed.public_item,
            confidential=True,
            confidential_reason="Named offenders",
        )
    assert kinds_found(world, "burglary") == []
    assert kinds_found(world, "community safety plan") == []
    assert kinds_found(world, "community safety plan", world.member) == ["agenda_item", "paper"]


def test_a_published_agenda_makes_its_business_public(
    world, indexed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        gs.meeting_publish(actor=world.coordinator, meeting=indexed.draft)
    assert kinds_found(world, "SECRETDRAFT") == ["agenda_item"]  # its paper is not yet out


def test_a_paper_whose_words_are_read_later_is_found_by_them(
    world, indexed, django_capture_on_commit_callbacks
):
    paper = indexed.public_paper
    with django_capture_on_commit_callbacks(execute=True):
        paper.text = "Allotments and hedgerows"
        paper.save(update_fields=["text"])
    assert kinds_found(world, "hedgerows") == ["paper"]


def test_a_deleted_record_leaves_the_index(world, indexed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        indexed.public_paper.delete()
    assert kinds_found(world, "burglary") == []
    assert not SearchEntry.objects.filter(object_id=indexed.public_paper.pk, kind="paper").exists()


def test_a_new_name_is_found_on_every_place(world, indexed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        world.member.full_name = "Philippa Quarrington"
        world.member.save()
    assert kinds_found(world, "Quarrington") == ["person"]


def test_the_rebuild_writes_what_the_hooks_wrote(world, indexed):
    def snapshot():
        return sorted(
            SearchEntry.objects.values_list(
                "content_type_id", "object_id", "kind", "audience", "title", "text", "url"
            )
        )

    before = snapshot()
    assert rebuild(batch_size=3) == len(before)
    assert snapshot() == before


def test_the_rebuild_drops_entries_of_records_gone(world, indexed):
    stray = entry(world, "Long gone")
    SearchEntry.objects.filter(pk=stray.pk).update(
        content_type=ContentType.objects.get_for_model(Body), object_id=999_999
    )
    rebuild()
    assert not SearchEntry.objects.filter(pk=stray.pk).exists()


def test_the_nightly_job_and_the_command_rebuild_the_index(world, indexed, capsys):
    SearchEntry.objects.all().delete()
    count = rebuild_search_index()
    assert count == SearchEntry.objects.count() > 0
    SearchEntry.objects.all().delete()
    call_command("search_rebuild")
    assert f"{count} entries" in capsys.readouterr().out
    assert SearchEntry.objects.count() == count


def test_indexing_one_record_now(world, indexed):
    SearchEntry.objects.all().delete()
    reindex_now(indexed.public_paper)
    assert kinds_found(world, "burglary") == ["paper"]


def test_only_the_newest_matches_are_ranked_and_counted_beyond_the_cap(world, monkeypatch):
    from partnership.search import query

    monkeypatch.setattr(query, "CANDIDATES", 5)
    entry(world, "Old notes", "parks parks parks", on_date=date(2020, 1, 1))  # best, but oldest
    for n in range(6):
        entry(world, f"Report {n}", "Mentions parks", on_date=date(2026, 1, 1) + timedelta(n))
    results = search(user=AnonymousUser(), partnership=world.partnership, query="parks")
    assert results.total == 5 and results.capped
    assert [h.entry.title for h in results.hits] == [f"Report {n}" for n in (5, 4, 3, 2, 1)]
    # Narrowed by a date, the older one is found again, and first.
    narrowed = found(world, "parks", date_to=date(2026, 1, 2))
    assert narrowed == ["Old notes", "Report 1", "Report 0"]


def test_a_type_filter_reaches_matches_older_than_the_cap(world, monkeypatch):
    from partnership.search import query

    monkeypatch.setattr(query, "CANDIDATES", 3)
    monkeypatch.setattr(query, "TITLE_CANDIDATES", 3)
    entry(world, "Old paper", "Parks again", on_date=date(2019, 1, 1))
    for n in range(5):
        entry(world, f"News {n}", "Parks", kind=SearchKind.NEWS, on_date=date(2026, 1, 1 + n))
    everything = search(user=AnonymousUser(), partnership=world.partnership, query="parks")
    assert everything.capped and "Old paper" not in [h.entry.title for h in everything.hits]
    papers = search(
        user=AnonymousUser(),
        partnership=world.partnership,
        query="parks",
        filters=Filters(kind=SearchKind.PAPER),
    )
    assert [h.entry.title for h in papers.hits] == ["Old paper"]
    assert not papers.capped
    # The chosen type's count is what was found; the others' are the search's without it.
    assert papers.by_kind == {SearchKind.PAPER: 1, SearchKind.NEWS: 3}


def test_a_word_left_out_excludes_entries_holding_it_anywhere(world):
    entry(world, "Parks strategy", "Trees and benches")
    entry(world, "Parks report", "Dog fouling and benches")
    entry(world, "Fouling in parks", "Enforcement")
    assert found(world, "parks -fouling") == ["Parks strategy"]
    assert found(world, "parks benches -dog") == ["Parks strategy"]


def test_words_left_out_are_told_from_words_to_find():
    assert words_of("parks -dog well-being") == (["parks", "well", "being"], ["dog"])
    assert terms_of("-dog -cat") == []


def test_a_query_of_words_left_out_only_finds_nothing(world):
    entry(world, "Parks strategy", "Trees")
    assert found(world, "-zzz") == []


def test_no_candidates_are_asked_for_when_the_limit_is_nought(world):
    from partnership.search.query import _newest

    entry(world, "Parks strategy", "Trees")
    assert list(_newest(SearchEntry.objects.all(), 0)) == []


def test_a_capped_search_says_so(client, world, monkeypatch):
    from django.urls import reverse

    from partnership.search import query

    monkeypatch.setattr(query, "CANDIDATES", 3)
    monkeypatch.setattr(query, "TITLE_CANDIDATES", 3)
    for n in range(4):
        entry(world, f"Parks {n}", on_date=date(2026, 1, 1) + timedelta(n))
    url = reverse("partnership:search", kwargs={"partnership": world.partnership.slug})
    html = client.get(url, {"q": "parks"}).content.decode()
    assert "At least 3 results for “parks”" in html
    assert "Add a word, or filter by type, body or date, to find older ones" in html


def test_an_old_title_match_is_ranked_however_many_newer_records_mention_the_words(
    world, monkeypatch
):
    from partnership.search import query

    monkeypatch.setattr(query, "CANDIDATES", 3)
    entry(world, "Parks strategy", "The strategy.", on_date=date(2019, 1, 1))
    for n in range(5):
        entry(world, f"Report {n}", "Mentions parks", on_date=date(2026, 1, 1) + timedelta(n))
    titles = found(world, "parks")
    assert titles == ["Parks strategy", "Report 4", "Report 3", "Report 2"]


# --- reports follow their item, paper and meeting at once ------------------------------------


@pytest.fixture
def public_report(world, monkeypatch):
    """The Safer Group's exception report, approved, on the Board's published agenda with its
    paper out: public (``public_reports``), its narrative holding a marker."""
    from performance import services as ps
    from performance.models import Indicator, Report
    from performance.services.reports.workflow import report_narrative_keys
    from tests.governance.helpers import schedule
    from tests.performance.conftest import build_performance, circulated
    from tests.performance.test_reports_exceptions import complete

    monkeypatch.setattr(
        "performance.services.reports.rendering.report_render_later",
        lambda report, *, requested_by=None: None,
        raising=False,
    )
    perf = build_performance(world)
    meeting = schedule(world, days=21)
    Indicator.objects.filter(body=world.group).update(published=True)
    complete(perf, world, burglaries="120")
    report = ps.exception_report_draft(body=world.group, period=perf.period)
    keys = report_narrative_keys(report)
    report = ps.report_save_narrative(
        actor=world.chair, report=report, narrative={keys[0]: "Gritting SECRETSEARCHREPORT"}
    )
    approved = ps.report_approve(actor=world.chair, report=report)
    gs.meeting_publish(actor=world.coordinator, meeting=meeting)
    approved = circulated(Report.objects.get(pk=approved.pk))
    rebuild()
    assert kinds_found(world, "SECRETSEARCHREPORT") == ["report"]
    return approved


def test_a_reports_item_made_confidential_hides_it_from_the_public_at_once(
    world, public_report, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        gs.item_update(
            actor=world.coordinator,
            item=public_report.agenda_item,
            confidential=True,
            confidential_reason="Named offenders",
        )
    assert kinds_found(world, "SECRETSEARCHREPORT") == []
    assert kinds_found(world, "SECRETSEARCHREPORT", world.coordinator) == ["report"]


def test_a_reports_paper_made_confidential_hides_it_from_the_public_at_once(
    world, public_report, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        gs.paper_update(
            actor=world.coordinator,
            paper=public_report.paper,
            confidential=True,
            confidential_reason="Named offenders",
        )
    assert kinds_found(world, "SECRETSEARCHREPORT") == []
    assert kinds_found(world, "SECRETSEARCHREPORT", world.coordinator) == ["report"]


def test_a_reports_paper_recalled_or_its_meeting_cancelled_hides_it_at_once(
    world, public_report, django_capture_on_commit_callbacks
):
    from governance.models import Paper

    paper = Paper.objects.get(pk=public_report.paper_id)
    with django_capture_on_commit_callbacks(execute=True):
        paper.circulated_at = None  # as a new file does: not out until sent again
        paper.save()
    assert kinds_found(world, "SECRETSEARCHREPORT") == []
    with django_capture_on_commit_callbacks(execute=True):
        paper.circulated_at = timezone.now()
        paper.save()
    assert kinds_found(world, "SECRETSEARCHREPORT") == ["report"]
    with django_capture_on_commit_callbacks(execute=True):
        gs.meeting_cancel(
            actor=world.coordinator, meeting=public_report.agenda_item.meeting, reason="Snow"
        )
    assert kinds_found(world, "SECRETSEARCHREPORT") == []


# --- a stale state never overwrites a fresh one -----------------------------------------------


def _depth_when_indexed(monkeypatch, model):
    """Wrap ``model``'s indexer to note how many atomic blocks are open when it runs."""
    from django.db import connection

    from partnership.search.registry import registration

    reg = registration(model)
    depths = []
    original = reg.indexer

    def noting(instance):
        depths.append(len(connection.atomic_blocks))
        return original(instance)

    monkeypatch.setattr(reg, "indexer", noting)
    return depths


def test_the_rebuild_reads_and_indexes_each_batch_inside_its_write_transaction(
    world, indexed, monkeypatch
):
    from django.db import connection

    from governance.models import Paper

    outside = len(connection.atomic_blocks)
    depths = _depth_when_indexed(monkeypatch, Paper)
    reads = []
    from partnership.search import indexing

    original_locked = indexing._locked

    def noting(qs):
        reads.append(len(connection.atomic_blocks))
        return original_locked(qs)

    monkeypatch.setattr(indexing, "_locked", noting)
    rebuild(batch_size=2)
    assert depths and all(d > outside for d in depths)
    assert reads and all(d > outside for d in reads)


def test_a_hook_reads_the_record_inside_the_transaction_that_writes_its_entries(
    world, indexed, monkeypatch, django_capture_on_commit_callbacks
):
    """The record is read and indexed under its row's lock, in the transaction that writes
    its entries: a change committed meanwhile waits for it, and its own hook then reads it."""
    from django.db import connection

    from governance.models import Paper

    outside = len(connection.atomic_blocks)
    depths = _depth_when_indexed(monkeypatch, Paper)
    paper = Paper.objects.get(pk=indexed.public_paper.pk)
    with django_capture_on_commit_callbacks(execute=True):
        paper.main_issues = "Hedgerows"
        paper.save(update_fields=["main_issues"])
    assert depths and all(d > outside for d in depths)
    assert kinds_found(world, "hedgerows") == ["paper"]


# --- the backend by database ------------------------------------------------------------------


def test_the_backend_is_the_databases_own(world):
    """PostgreSQL searches the generated tsvector column; SQLite the FTS5 table. (Asserted for
    whichever database the suite runs on: CI runs it on PostgreSQL.)"""
    from django.db import connection

    entry(world, "Meetings approved")
    assert found(world, "meeting") == ["Meetings approved"]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT data_type, is_generated FROM information_schema.columns"
                " WHERE table_name = 'partnership_searchentry' AND column_name = 'search_vector'"
            )
            assert cursor.fetchone() == ("tsvector", "ALWAYS")
            cursor.execute(
                "SELECT count(*) FROM partnership_searchentry"
                " WHERE search_vector @@ websearch_to_tsquery('english', 'approve')"
            )
            assert cursor.fetchone() == (1,)
        else:
            assert connection.vendor == "sqlite"
            cursor.execute(
                "SELECT count(*) FROM partnership_searchentry_fts"
                " WHERE partnership_searchentry_fts MATCH '\"approve\"'"
            )
            assert cursor.fetchone() == (1,)


def test_without_fts5_the_sqlite_migration_says_what_is_missing():
    import importlib

    migration = importlib.import_module("partnership.migrations.0010_search_backends")

    class Cursor:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def execute(self, sql):
            assert sql == "PRAGMA compile_options"

        def fetchall(self):
            return [("ENABLE_JSON1",), ("THREADSAFE=1",)]

    class Connection:
        def cursor(self):
            return Cursor()

    with pytest.raises(RuntimeError, match="FTS5"):
        migration._require_fts5(Connection())


def test_a_meeting_cancelled_before_its_agenda_went_out_leaves_the_public_search(
    world, indexed, django_capture_on_commit_callbacks
):
    assert kinds_found(world, "DRAFTMEETING") == ["meeting"]
    with django_capture_on_commit_callbacks(execute=True):
        gs.meeting_cancel(actor=world.coordinator, meeting=indexed.draft, reason="No business")
    assert kinds_found(world, "DRAFTMEETING") == []
    assert kinds_found(world, "DRAFTMEETING", world.member) == []
    assert kinds_found(world, "DRAFTMEETING", world.coordinator) == ["meeting"]


def test_a_withdrawn_document_leaves_the_index(world, today, django_capture_on_commit_callbacks):
    from governance.models import DocumentVersion, LibraryDocument

    with django_capture_on_commit_callbacks(execute=True):
        document = LibraryDocument.objects.create(
            partnership=world.partnership, title="Hedgerow policy", doc_type="policy"
        )
        DocumentVersion.objects.create(
            document=document,
            version="1",
            issued_on=today,
            file="library/hedgerows.pdf",
            file_name="hedgerows.pdf",
            file_type="pdf",
            file_size=10,
            text="Cutting",
        )
    assert kinds_found(world, "hedgerow") == ["document"]
    with django_capture_on_commit_callbacks(execute=True):
        document.withdrawn_at = timezone.now()
        document.save()
    assert kinds_found(world, "hedgerow") == []
    assert not SearchEntry.objects.filter(kind=SearchKind.DOCUMENT).exists()
