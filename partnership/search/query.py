"""Reading the index: who may find what (one filter, in the database), the ranked page of
results, and their highlighted words.

Two backends share the model: PostgreSQL's full-text search (a generated ``search_vector``
column with a GIN index, ``websearch_to_tsquery`` with English stemming, ``ts_rank`` and
``ts_headline``) and, on SQLite, an FTS5 table kept by triggers (Porter stemming, ``bm25``,
``snippet``). Both are created by migration 0010; neither is a model field.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Exists, Expression, F, FloatField, Q, QuerySet
from django.db.models.expressions import RawSQL, Value
from django.db.models.functions import Coalesce, Left
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from partnership import permissions as perms
from partnership.models import Body, Partnership, SearchAudience, SearchEntry
from partnership.paging import page_with_total

PAGE_SIZE = 20
# The most matches ranked and counted: beyond them a search asks for more words or a filter.
# The newest title matches are ranked too, however old the newest text matches are.
CANDIDATES = 200
TITLE_CANDIDATES = 100
# A snippet is cut from the text's first so many characters: PostgreSQL's headline parses all
# it is given (about 16 ms for a 100,000-character paper), and a page shows twenty.
HEADLINE_CHARS = 10_000
MAX_TERMS = 12
# Marks around matched words in the database's snippets: control characters no text we
# index is meant to hold (any there are dropped), so what is marked is exactly what matched,
# and everything else is escaped before <mark> is put in.
START, STOP = "\x02", "\x03"
FTS_TABLE = "partnership_searchentry_fts"
# SQLite's statements (the table name is ours; the user's words are always a parameter).
_T = FTS_TABLE
_MATCHING = f"SELECT rowid FROM {_T} WHERE {_T} MATCH %s"  # noqa: S608
_RANK = f'(SELECT -bm25({_T}, 10.0, 1.0) FROM {_T} WHERE {_T} MATCH %s AND rowid = "partnership_searchentry"."id")'  # noqa: E501, S608
_MARKS = f"SELECT rowid, highlight({_T}, 0, %s, %s), snippet({_T}, 1, %s, %s, '…', 30) FROM {_T} WHERE {_T} MATCH %s"  # noqa: E501, S608


def terms_of(query: str) -> list[str]:
    """The words of a query to find, as SQLite's search is given them (each quoted, all
    required): every word but those left out with a minus (``-word``)."""
    return words_of(query)[0]


def words_of(query: str) -> tuple[list[str], list[str]]:
    """The words to find and the words to leave out (``-word``, as ``websearch_to_tsquery``
    reads a minus before a word), lower-cased, at most MAX_TERMS of each."""
    wanted: list[str] = []
    unwanted: list[str] = []
    for token in query.lower().split():
        negated = token.startswith("-")
        (unwanted if negated else wanted).extend(re.findall(r"\w+", token))
    return wanted[:MAX_TERMS], unwanted[:MAX_TERMS]


def visible_q(user: Any, partnership: Partnership) -> Q:
    """The entries of ``partnership`` this user may find, by their audience; what
    ``governance.selectors.meetings.MeetingAccess`` means, read from the rights already loaded
    for the request:
    - MEMBERS: bodies they may see privately (``can_view_private_body``: they sit on it or
      co-ordinate it or a body above it); for the partnership itself, its co-ordinators;
    - MANAGERS: the bodies they co-ordinate or chair (``see_drafts``);
    - PERSON: the one person, and the body's co-ordinators;
    - SIGNED_IN: anyone with a right in the partnership.
    """
    visible = Q(audience=SearchAudience.PUBLIC)
    if not getattr(user, "is_authenticated", False):
        return visible
    visible |= Q(person_id=user.pk)
    if not perms.rights_of(user):
        return visible
    if perms.can_manage_partnership(user, partnership):
        # Every body and the partnership itself are theirs, so every audience is: no
        # condition at all (a list of every audience would only tempt the planner into the
        # (partnership, audience) index, a bitmap of every entry).
        return Q()
    managed = Q(body__in=perms.bodies_managed_by(user, partnership))
    private = perms.ids_with(user, "body", perms.VIEW_PRIVATE_BODY)
    chaired = perms.ids_with(user, "body", perms.CHAIR_BODY)
    any_right = partnership.pk in perms.ids_with(user, "partnership", *perms.PARTNERSHIP_PERMS)
    body_rights = private | chaired | perms.ids_with(user, "body", perms.MANAGE_BODY)
    signed_in = (
        Q(audience=SearchAudience.SIGNED_IN)
        if any_right
        else Q(
            Exists(Body.objects.filter(partnership=partnership, pk__in=body_rights)),
            audience=SearchAudience.SIGNED_IN,
        )
    )
    return (
        visible
        | signed_in
        | Q(audience=SearchAudience.MEMBERS) & (Q(body_id__in=private) | managed)
        | Q(audience=SearchAudience.MANAGERS) & (Q(body_id__in=chaired) | managed)
        | Q(audience=SearchAudience.PERSON) & managed
    )


@dataclass(frozen=True)
class Filters:
    kind: str = ""
    body_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None

    def apply(self, qs: QuerySet, *, kind: bool = True) -> QuerySet:
        if kind and self.kind:
            qs = qs.filter(kind=self.kind)
        if self.body_id:
            qs = qs.filter(body_id=self.body_id)
        if self.date_from:
            qs = qs.filter(on_date__gte=self.date_from)
        if self.date_to:
            qs = qs.filter(on_date__lte=self.date_to)
        return qs


@dataclass
class Hit:
    entry: SearchEntry
    title: SafeString
    snippet: SafeString


@dataclass
class Results:
    page: Page | None
    hits: list[Hit]
    # How many results of each kind (SearchKind value), whatever the type filter.
    by_kind: dict[str, int]
    # Whether there may be more matches than were ranked: the newest CANDIDATES matches
    # (and the newest title matches) with the filters applied, so a filter reaches older ones.
    capped: bool = False

    @property
    def total(self) -> int:
        return self.page.paginator.count if self.page else 0


def search(
    *,
    user: Any,
    partnership: Partnership,
    query: str,
    filters: Filters = Filters(),  # noqa: B008 - frozen, so shared safely
    page: str | int | None = None,
    size: int = PAGE_SIZE,
) -> Results:
    """One page of the entries matching ``query`` that the user may find, best first (then
    newest), with highlighted titles and snippets: three queries on SQLite, two on PostgreSQL,
    however many results, and one more for the counts by type when a type is chosen.

    Only the newest CANDIDATES matches and the newest TITLE_CANDIDATES title matches are
    ranked, chosen after every filter (the type too), so a filter always reaches older ones."""
    backend = _Postgres(query) if connection.vendor == "postgresql" else _Sqlite(query)
    if backend.empty:
        return Results(page=None, hits=[], by_kind={})
    scoped = filters.apply(
        SearchEntry.objects.filter(partnership=partnership).filter(visible_q(user, partnership)),
        kind=False,
    )
    chosen = scoped.filter(kind=filters.kind) if filters.kind else scoped
    if isinstance(backend, _Postgres):
        rows = backend.ranked_candidates(chosen)
        found = [(pk, kind) for pk, kind, _, _ in rows]
    else:
        rows = None
        found = list(backend.candidates(chosen))
    # Fewer than CANDIDATES means every text match was among them (title matches are text
    # matches too), so nothing was left unranked.
    capped = len(found) >= CANDIDATES
    by_kind = dict(Counter(kind for _, kind in found))
    if filters.kind:
        # The other types' counts, from the same search without the type filter.
        others = Counter(kind for _, kind in backend.candidates(scoped))
        by_kind = {**{k: n for k, n in others.items() if k != filters.kind}, **by_kind}
    if not found:
        return Results(page=None, hits=[], by_kind=by_kind)
    if rows is not None:
        result_page, hits = backend.page_of(rows, page, size)
        return Results(page=result_page, hits=hits, by_kind=by_kind, capped=capped)
    # Only what the page shows: the text (the snippet is shown instead) would cost more to
    # carry through the sort and the count than the rest of the query, and every other column
    # is a model field to build, twenty times.
    ranked = (
        backend.ranked(SearchEntry.objects.filter(pk__in=[pk for pk, _ in found]))
        .select_related("body")
        .only("kind", "title", "on_date", "url", "body__name")
    )
    result_page = page_with_total(ranked, number=page, size=size)
    marks = backend.marks([e.pk for e in result_page.object_list])
    hits = []
    for entry in result_page.object_list:
        title, text = marks.get(entry.pk, ("", ""))
        hits.append(Hit(entry, highlight(title or entry.title), highlight(text)))
    return Results(page=result_page, hits=hits, by_kind=by_kind, capped=capped)


def _newest(matching: QuerySet, limit: int | None = None, *, rows: bool = False) -> QuerySet:
    """The ids of the newest ``limit`` (``CANDIDATES``) matches, as a subquery: what is
    ranked. Ranking reads each match's whole vector, so a word in most records (the
    partnership's own name) would cost a read of most of the index; the newest are read
    through the date index instead, and the count stops there too. (Undated entries come
    first on PostgreSQL, where DESC puts nulls first, and last on SQLite.)"""
    ordered = matching.order_by("-on_date", "-pk")
    # Ids alone for a subquery; with their types (``rows``) for a UNION read at once.
    ordered = ordered.values_list("pk", "kind") if rows else ordered.values("pk")
    return ordered[: CANDIDATES if limit is None else limit]


def highlight(marked: str) -> SafeString:
    """Escape ``marked`` and turn its START/STOP marks into <mark> elements, always paired."""
    out, open_ = [], False
    for part in re.split(f"([{START}{STOP}])", marked or ""):
        if part == START:
            if not open_:
                out.append("<mark>")
                open_ = True
        elif part == STOP:
            if open_:
                out.append("</mark>")
                open_ = False
        else:
            out.append(escape(part))
    if open_:
        out.append("</mark>")
    return mark_safe("".join(out))  # noqa: S308 - every piece of text above is escaped


class _Column(Expression):
    """A column of the entries' table that is not a model field, named through the alias the
    table has in the query being compiled (a subquery's differs from the outer query's)."""

    def __init__(self, column: str, output_field):
        super().__init__(output_field=output_field)
        self.column = column

    def as_sql(self, compiler, connection):
        alias = compiler.query.get_initial_alias()
        return f"{compiler.quote_name_unless_alias(alias)}.{self.column}", []


class _TitleVector(Expression):
    """``to_tsvector('english', title)``, as migration 0010's title index has it (so the
    planner uses the index), named through the table's alias in the query."""

    def __init__(self):
        from django.contrib.postgres.search import SearchVectorField

        super().__init__(output_field=SearchVectorField())

    def as_sql(self, compiler, connection):
        alias = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        return f"to_tsvector('english'::regconfig, {alias}.title)", []


class _Postgres:
    def __init__(self, query: str):
        from django.contrib.postgres.search import SearchQuery, SearchVectorField

        self.query = query.strip()
        wanted, unwanted = words_of(self.query)
        # Words only left out would match nearly every entry: a read of the whole index.
        self.empty = not wanted
        self.negated = bool(unwanted)
        self.tsquery = SearchQuery(self.query, search_type="websearch", config="english")
        # The generated column of migration 0010 (not a model field).
        self.vector = _Column("search_vector", output_field=SearchVectorField())

    def matching(self, qs: QuerySet) -> QuerySet:
        return qs.alias(vector=self.vector).filter(vector=self.tsquery)

    def candidates(self, scoped: QuerySet) -> QuerySet:
        # The title matches from the small title index, not the whole vectors. A UNION, as
        # "id IN (...) OR id IN (...)" would be planned as a scan of every entry.
        titles = scoped.alias(title_vector=_TitleVector()).filter(title_vector=self.tsquery)
        if self.negated:
            # A title match must not hold a word left out anywhere else either.
            titles = self.matching(titles)
        # Ordered by an expression, not the date itself: walking the date index would make
        # a title vector of each row passed over, instead of reading the title index.
        newest_titles = titles.order_by(
            Coalesce("on_date", Value(date(1, 1, 1))).desc(), "-pk"
        ).values_list("pk", "kind")[:TITLE_CANDIDATES]
        return _newest(self.matching(scoped), rows=True).union(newest_titles)

    def ranked_candidates(self, scoped: QuerySet) -> list[tuple]:
        """The candidates as (pk, kind, date, rank), ranked as they are found: each vector is
        read once more, for its rank, and only the candidates'. The order, the count and the
        page are then the candidates', sorted here (``page_of``): no second ranking query
        carrying the rows through a sort and a window count."""
        union_sql, params = self.candidates(scoped).query.sql_with_params()
        rank_sql, rank_params = self.vector_rank()
        sql = (
            f"SELECT u.pk, u.kind, e.on_date, {rank_sql} FROM ({union_sql}) u "  # noqa: S608
            f"JOIN {SearchEntry._meta.db_table} e ON e.id = u.pk"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*rank_params, *params])
            return cursor.fetchall()

    def page_of(self, rows: list[tuple], page: str | int | None, size: int):
        """The page asked for of the ranked rows, with the page's entries and headlines."""
        # Best first, then newest (undated last), then the newest entry (as _Sqlite.ranked).
        ordered = sorted(
            rows, key=lambda r: (-r[3], r[2] is None, -(r[2].toordinal() if r[2] else 0), -r[0])
        )
        paginator = Paginator([r[0] for r in ordered], size)
        try:
            wanted = min(max(int(page or 1), 1), paginator.num_pages)
        except (TypeError, ValueError):
            wanted = 1
        result_page = paginator.page(wanted)
        ids = list(result_page.object_list)
        entries = {
            e.pk: e
            for e in self.with_marks(
                SearchEntry.objects.filter(pk__in=ids)
                .select_related("body")
                .only("kind", "title", "on_date", "url", "body__name")
            )
        }
        result_page.object_list = [entries[pk] for pk in ids if pk in entries]
        hits = [
            Hit(e, highlight(e.marked_title or e.title), highlight(e.marked_text))
            for e in result_page.object_list
        ]
        return result_page, hits

    def vector_rank(self) -> tuple[str, list]:
        """``ts_rank`` of the joined entry ``e``'s vector, as SearchRank has it."""
        return "ts_rank(e.search_vector, websearch_to_tsquery('english'::regconfig, %s))", [
            self.query
        ]

    def with_marks(self, qs: QuerySet) -> QuerySet:
        from django.contrib.postgres.search import SearchHeadline

        def headline(field, **options) -> SearchHeadline:
            return SearchHeadline(
                field, self.tsquery, config="english", start_sel=START, stop_sel=STOP, **options
            )

        return qs.annotate(
            marked_title=headline("title", highlight_all=True),
            marked_text=headline(
                Left("text", HEADLINE_CHARS),
                max_words=35,
                min_words=15,
                max_fragments=2,
                fragment_delimiter=" … ",
            ),
        )


class _Sqlite:
    def __init__(self, query: str):
        wanted, unwanted = words_of(query)
        self.empty = not wanted
        # Every word quoted and required, those left out after NOT: nothing the user types
        # reaches MATCH as syntax.
        self.words = " ".join(f'"{t}"' for t in wanted)
        self.left_out = " OR ".join(f'"{t}"' for t in unwanted)
        self.match = f"({self.words}) NOT ({self.left_out})" if unwanted else self.words

    def matching(self, qs: QuerySet) -> QuerySet:
        ids = RawSQL(_MATCHING, [self.match])  # noqa: S611 - the words are a parameter
        return qs.filter(pk__in=ids)

    def candidates(self, scoped: QuerySet) -> QuerySet:
        # SQLite cannot LIMIT the parts of a UNION: two subqueries instead.
        titles = scoped.filter(
            pk__in=RawSQL(_MATCHING, [self.in_titles()])  # noqa: S611
        )
        return SearchEntry.objects.filter(
            Q(pk__in=_newest(self.matching(scoped))) | Q(pk__in=_newest(titles, TITLE_CANDIDATES))
        ).values_list("pk", "kind")

    def in_titles(self) -> str:
        """The words in a title, and those left out nowhere in the entry."""
        titles = f"(title : ({self.words}))"
        return f"{titles} NOT ({self.left_out})" if self.left_out else titles

    def ranked(self, qs: QuerySet) -> QuerySet:
        # bm25 is lower for a better match; a title's words weigh ten times the text's.
        rank = RawSQL(_RANK, [self.match], output_field=FloatField())  # noqa: S611
        return qs.annotate(rank=rank).order_by("-rank", F("on_date").desc(nulls_last=True), "-pk")

    def marks(self, ids: list[int]) -> dict[int, tuple[str, str]]:
        if not ids:
            return {}
        places = ", ".join(["%s"] * len(ids))
        sql = f"{_MARKS} AND rowid IN ({places})"  # noqa: S608 - placeholders only
        with connection.cursor() as cursor:
            cursor.execute(sql, [START, STOP, START, STOP, self.match, *ids])
            return {pk: (title, text) for pk, title, text in cursor.fetchall()}
