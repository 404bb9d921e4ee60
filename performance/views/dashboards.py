"""The dashboards (the whole partnership's and one body's), an indicator's page, and the open
data. Public pages: what each visitor sees is decided by ``selectors.viewer_for`` (insiders
see every reported figure; everyone else published indicators' signed-off figures only)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache, partial

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from partnership import permissions as perms
from partnership.history import history_entries
from partnership.models import Body, Partnership
from performance import charts
from performance import permissions as pp
from performance.models import Direction, Indicator, Rag, ToleranceKind, Unit
from performance.rules import format_value
from performance.selectors import (
    SUMMARY_COLUMNS,
    DashboardFilters,
    DashboardRow,
    Overview,
    dashboard_indicators,
    dashboard_overview,
    dashboard_rows,
    indicator_periods,
    open_data_returns,
    open_quarter,
    target_history,
    targets_by_year,
    viewer_for,
)
from performance.templatetags import performance_tags as tags

__all__ = ["dashboard", "body_dashboard", "indicator_detail", "open_data_csv"]

PAGE_SIZE = 50
SORTS = {"code": "Code", "rag": "RAG rating, worst first"}


def _int(raw: str | None, allowed: set[int]) -> int | None:
    """A chosen id, if it is one of the choices offered; anything else is no filter."""
    try:
        value = int(raw or "")
    except ValueError:
        return None
    return value if value in allowed else None


def _filters(params, options: Overview) -> DashboardFilters:
    rag = params.get("rag")
    return DashboardFilters(
        outcome=_int(params.get("outcome"), {o.pk for o in options.outcomes}),
        body=_int(params.get("body"), {b.pk for b in options.bodies}),
        lead=_int(params.get("lead"), {u.pk for u in options.leads}),
        rag=rag if rag in RAG_LABELS else None,
        sort=params.get("sort") if params.get("sort") in SORTS else "code",
    )


def _formatter(indicator: Indicator):
    return partial(format_value, indicator)


def _min_step(indicator: Indicator) -> float:
    return 10.0**-indicator.decimal_places


RAG_LABELS = dict(Rag.choices)


def _rag_label(rag: str | None) -> str | None:
    return RAG_LABELS.get(rag or "")


def _options(choices, chosen) -> list[tuple[str, str, bool]]:
    """A select's options as (value, label, selected), made here: a page offers a hundred."""
    return [(str(pk), label, pk == chosen) for label, pk in choices]


@dataclass(frozen=True)
class Line:
    """One indicator's row of a dashboard, with what its cells need already made."""

    row: DashboardRow
    body: str
    lead: str
    url: str
    value: str
    target: str
    chart: str
    rag: str
    direction: str


@cache
def _tags() -> tuple[dict[str, str], dict[str, str]]:
    """The RAG and direction tags have few values each: each is drawn once, by the shared
    templates, rather than once per row (a page of 50 rows spent a tenth of its time so)."""
    rags = {v: render_to_string("performance/_rag.html", tags.rag(v)) for v in ["", *Rag.values]}
    directions = {
        v: render_to_string("performance/_direction.html", tags.direction(v))
        for v in ["", *Direction.values]
    }
    return rags, directions


def _lines(rows: list[DashboardRow], p: Partnership, overview: Overview) -> list[Line]:
    rags, directions = _tags()
    # One reverse() for the page: only the indicator's id differs from row to row.
    marker = 2**31 - 1
    pattern = reverse("performance:indicator", kwargs={"partnership": p.slug, "pk": marker})
    body_names, lead_names = overview.names()
    lines = []
    for row in rows:
        i, latest = row.indicator, row.latest
        lines.append(
            Line(
                row=row,
                value=format_value(i, latest.value) if latest else "No data",
                target=(
                    "No target" if row.latest_target is None else format_value(i, row.latest_target)
                ),
                body=body_names[i.body_id],
                lead=lead_names[i.lead_id],
                url=pattern.replace(f"/{marker}/", f"/{i.pk}/"),
                chart=charts.sparkline(
                    id_prefix=f"trend-{i.pk}",
                    title=f"Trend of {i.title}",
                    points=row.points,
                    fmt=_formatter(i),
                    latest_rag=_rag_label(latest.rag if latest else None),
                    yes_no=i.unit == Unit.YES_NO,
                ),
                rag=rags.get(latest.rag if latest else "", rags[""]),
                direction=directions.get(latest.direction if latest else "", directions[""]),
            )
        )
    return lines


def _dashboard(request: HttpRequest, p: Partnership, body: Body | None) -> HttpResponse:
    viewer = viewer_for(request.user, p)
    overview = dashboard_overview(dashboard_indicators(viewer=viewer, partnership=p, body=body))
    filters = _filters(request.GET, overview)
    listed = dashboard_indicators(viewer=viewer, partnership=p, body=body, filters=filters)
    paginator = Paginator(listed, PAGE_SIZE)
    paginator.count = overview.count(filters)
    page = paginator.get_page(request.GET.get("page"))
    # The page's rows, read once; none to read when the overview counted none (an empty
    # slice would still build, annotations and all, the query it never sends).
    page.object_list = list(page.object_list) if paginator.count else []
    last = open_quarter()
    rows = dashboard_rows(page.object_list, viewer=viewer, last=last)
    user = request.user
    return render(
        request,
        "performance/dashboards/dashboard.html",
        {
            "partnership": p,
            "body": body,
            "overview": overview,
            "columns": [Rag(c).label for c in SUMMARY_COLUMNS],
            "filters": filters,
            "outcome_options": _options(overview.outcomes, filters.outcome),
            "body_options": _options(overview.bodies, filters.body),
            "lead_options": _options(overview.leads, filters.lead),
            "rag_options": _options([(label, v) for v, label in Rag.choices], filters.rag),
            "sorts": SORTS.items(),
            "page": page,
            "page_range": list(page.paginator.get_elided_page_range(page.number, on_each_side=2)),
            "ellipsis": Paginator.ELLIPSIS,
            "lines": _lines(rows, p, overview),
            "last": last,
            "can_set_up": perms.manages_anything(user, p),
            "can_sign_off": body is not None and pp.can_sign_off(user, body),
            "can_manage_body": body is not None and pp.can_manage_performance(user, body),
        },
    )


@require_safe
def dashboard(request: HttpRequest, partnership: str) -> HttpResponse:
    return _dashboard(request, perms.get_partnership_or_404(partnership), None)


@require_safe
def body_dashboard(request: HttpRequest, partnership: str, body: str) -> HttpResponse:
    b = perms.get_body_or_404(partnership, body)
    return _dashboard(request, b.partnership, b)


def _get_indicator(request: HttpRequest, partnership: str, pk: int) -> Indicator:
    """The indicator, if this visitor may see it: an unpublished one is not found by anyone
    but its insiders."""
    indicator = (
        Indicator.objects.select_related("partnership", "body", "outcome", "lead")
        .filter(partnership__slug=partnership, pk=pk)
        .first()
    )
    if indicator is None or not pp.can_see_indicator(request.user, indicator):
        raise Http404("No such indicator")
    return indicator


def _tolerance(indicator: Indicator) -> str:
    if indicator.unit == Unit.YES_NO:
        return "None: a yes or no indicator is green or red"
    if indicator.tolerance_kind == ToleranceKind.PERCENT:
        allowed = f"{indicator.tolerance.normalize():f}% of the target"
    else:
        allowed = format_value(indicator, indicator.tolerance)
    return f"Amber, not red, when worse than the target by no more than {allowed}"


@require_safe
def indicator_detail(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    indicator = _get_indicator(request, partnership, pk)
    insider = pp.is_insider(request.user, indicator)
    last = open_quarter()
    periods = indicator_periods(indicator=indicator, insider=insider, last=last)
    reported = [row for row in periods if row.reported]
    latest = reported[-1] if reported else None
    chart = charts.trend_chart(
        id_prefix="trend",
        title=indicator.title,
        points=[row.point for row in periods],
        fmt=_formatter(indicator),
        latest_rag=_rag_label(latest.rag if latest else None),
        min_step=_min_step(indicator),
        yes_no=indicator.unit == Unit.YES_NO,
    )
    can_manage = pp.can_manage_performance(request.user, indicator.body)
    return render(
        request,
        "performance/dashboards/indicator.html",
        {
            "partnership": indicator.partnership,
            "indicator": indicator,
            "insider": insider,
            "periods": [row for row in periods if row.due],
            "commentary": [row for row in reversed(periods) if row.ret is not None]
            if insider
            else [],
            "latest": latest,
            "last": last,
            "chart": chart,
            "tolerance": _tolerance(indicator),
            "targets": targets_by_year(indicator),
            "target_changes": target_history(indicator) if insider else [],
            "history": history_entries(indicator) if insider else [],
            "can_manage": can_manage,
        },
    )


OPEN_DATA_HEADER = [
    "code",
    "title",
    "unit",
    "polarity",
    "period",
    "period_start",
    "period_end",
    "value",
    "target",
    "rag",
    "direction",
    "owning_body",
    "outcome",
]


def _text(value: str) -> str:
    """A spreadsheet must never run a cell as a formula: text that would start one is led by
    an apostrophe (numbers are written as numbers and need no such care)."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _number(value, places: int) -> str:
    return "" if value is None else f"{value:.{places}f}"


@require_safe
def open_data_csv(request: HttpRequest, partnership: str) -> HttpResponse:
    """Every published indicator's signed-off figures, for anyone (open data)."""
    p = perms.get_partnership_or_404(partnership)
    today = timezone.localdate()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{p.slug}-performance-{today:%Y-%m-%d}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(OPEN_DATA_HEADER)
    for ret in open_data_returns(partnership=p):
        i, period = ret.indicator, ret.period
        writer.writerow(
            [
                _text(i.code),
                _text(i.title),
                i.get_unit_display(),
                i.get_polarity_display(),
                period.label,
                period.starts_on.isoformat(),
                period.ends_on.isoformat(),
                _number(ret.value, i.decimal_places),
                _number(ret.target_value, i.decimal_places),
                ret.get_rag_display(),
                ret.get_direction_display(),
                _text(i.body.name),
                _text(str(i.outcome)) if i.outcome else "",
            ]
        )
    return response
