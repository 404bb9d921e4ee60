"""Reading and checking a whole file into a preview of what importing it would do."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.db.models.functions import Lower

from membership.models import User
from membership.selectors import partnership_members
from partnership.models import Partnership
from partnership.periods import Quarter
from partnership.permissions import bodies_managed_by
from performance.models import (
    Indicator,
    Outcome,
    Target,
)
from performance.rules import format_value, parse_value
from performance.services.transfer.shape import (
    CHOICES,
    COLUMNS,
    MAX_ROWS,
    MAX_SHEET_ROWS,
    NO,
    NOUNS,
    YES,
    FileProblem,
    RowError,
    header_layout,
    join_words,
    plain_number,
    read_table,
    target_header,
)


@dataclass(frozen=True)
class Change:
    column: str
    old: str
    new: str


@dataclass
class PreviewRow:
    number: int
    code: str
    title: str = ""
    indicator: Indicator | None = None  # the existing one, for an update
    fields: dict[str, Any] = field(default_factory=dict)  # only what changes, for an update
    targets: dict[tuple[int, int], Decimal | None] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def action(self) -> str:
        if self.indicator is None:
            return "create"
        return "update" if self.fields or self.targets else "unchanged"


@dataclass
class ImportPreview:
    """What importing a file would do. Shared by the risk register's import, whose rows have
    the same ``number``, ``action``, ``changes`` and ``errors``; ``noun`` names what a row is."""

    name: str
    rows: list[Any] = field(default_factory=list)
    file_errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    noun: str = "indicator"

    @property
    def errors(self) -> list[RowError]:
        return self.file_errors + [e for row in self.rows for e in row.errors]

    @property
    def is_valid(self) -> bool:
        return not self.errors

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def summary(self) -> str:
        """ "12 indicators: 3 new, 8 changed, 1 unchanged"."""
        total = len(self.rows)
        noun = self.noun if total == 1 else f"{self.noun}s"
        return (
            f"{total} {noun}: {self.count('create')} new, {self.count('update')} changed, "
            f"{self.count('unchanged')} unchanged"
        )

    @property
    def fingerprint(self) -> str:
        """What the import would do, in short: a confirm checks it still does the same."""
        plan = [(r.number, r.action, r.changes) for r in self.rows]
        return hashlib.sha256(repr(plan).encode()).hexdigest()[:32]


# --- the rows -----------------------------------------------------------------------------------


@dataclass
class _Lookups:
    """Everything the rows refer to, loaded in a few queries whatever the file's size."""

    bodies: dict[str, Any]
    managed: set[int]
    outcomes: dict[str, Outcome]
    leads: dict[str, User]
    indicators: dict[str, Indicator]

    @classmethod
    def load(cls, *, partnership: Partnership, actor: Any, emails: set[str]) -> _Lookups:
        bodies = {b.name.lower(): b for b in partnership.bodies.all()}
        outcomes = {o.code.lower(): o for o in Outcome.objects.filter(partnership=partnership)}
        sitting = partnership_members(partnership=partnership).values("pk")
        # A lead is someone in the partnership now, or already leads one of its indicators
        # (so a round trip keeps a lead whose membership has since ended).
        leads = (
            User.objects.annotate(address=Lower("email"))
            .filter(address__in=emails)
            .filter(Q(pk__in=sitting) | Q(indicators_led__partnership=partnership))
        )
        indicators = (
            Indicator.objects.filter(partnership=partnership)
            .select_related("body", "outcome", "lead")
            .prefetch_related(Prefetch("targets", queryset=Target.objects.order_by()))
        )
        return cls(
            bodies=bodies,
            managed=set(bodies_managed_by(actor, partnership).values_list("pk", flat=True)),
            outcomes=outcomes,
            leads={u.email.lower(): u for u in leads.distinct()},
            indicators={i.code.lower(): i for i in indicators},
        )


def indicators_parse(
    *, partnership: Partnership, actor: Any, name: str, data: bytes
) -> ImportPreview:
    """Read and check a whole file; nothing is saved. Every problem found is in
    ``preview.errors``, each with its row (as the spreadsheet numbers it) and column."""
    preview = ImportPreview(name=name)
    try:
        table = read_table(name, data)
    except FileProblem as problem:
        preview.file_errors.append(RowError(None, "", str(problem)))
        return preview
    if not table or not any(table[0]):
        preview.file_errors.append(
            RowError(None, "", "The file is empty: it needs a header row and a row per indicator")
        )
        return preview
    layout = header_layout(table[0], errors=preview.file_errors, ignored=preview.ignored_columns)
    rows = [(n, cells) for n, cells in enumerate(table[1:], start=2) if any(cells)]
    if not rows:
        preview.file_errors.append(
            RowError(None, "", "The file has no indicators in it: add a row for each indicator")
        )
    elif len(rows) > MAX_ROWS or len(table) > MAX_SHEET_ROWS:
        preview.file_errors.append(
            RowError(
                None,
                "",
                f"The file has more than {MAX_ROWS:,} indicators: import at most {MAX_ROWS:,} "
                "at a time",
            )
        )
    if preview.file_errors:
        return preview
    lead_at = layout.columns["lead"]
    emails = {cells[lead_at].lower() for _, cells in rows if lead_at < len(cells)}
    lookups = _Lookups.load(partnership=partnership, actor=actor, emails=emails)
    seen: dict[str, int] = {}
    for number, cells in rows:
        preview.rows.append(_parse_row(number, cells, layout, lookups, seen, partnership))
    return preview


def _parse_row(number, cells, layout, lookups, seen, partnership) -> PreviewRow:
    def cell(key: str) -> str | None:
        """The cell's text; None when the file has no such column."""
        index = layout.columns.get(key)
        if index is None:
            return None
        return cells[index] if index < len(cells) else ""

    row = PreviewRow(number=number, code=cell("code") or "", title=cell("title") or "")
    wrong: set[str] = set()

    def error(key: str, reason: str) -> None:
        wrong.add(key)
        row.errors.append(RowError(number, layout.headers.get(key, key), reason))

    new: dict[str, Any] = {}
    code = row.code
    if not code:
        error("code", "Enter the indicator’s code")
    elif len(code) > 20:
        error("code", "The code must be 20 characters or fewer")
    elif code.lower() in seen:
        error("code", f"{code} is also on row {seen[code.lower()]}: list each indicator once")
    else:
        seen[code.lower()] = number
        new["code"] = code
        existing = lookups.indicators.get(code.lower())
        if existing is not None and existing.body_id not in lookups.managed:
            error(
                "code",
                f"{existing.code} belongs to {existing.body.name}, which you do not co-ordinate",
            )
        row.indicator = existing

    for key, limit, label in (("title", 200, "title"), ("data_source", 300, "data source")):
        text = cell(key)
        if key == "title" and not text:
            error(key, "Enter the indicator’s title")
        elif text is not None and len(text) > limit:
            error(key, f"The {label} must be {limit} characters or fewer")
        elif text is not None:
            new[key] = text
    if cell("definition") is not None:
        new["definition"] = cell("definition")

    body_name = cell("body")
    body = lookups.bodies.get(body_name.lower()) if body_name else None
    if not body_name:
        error("body", "Enter the name of the body that owns the indicator")
    elif body is None:
        error("body", f"There is no body called ‘{body_name}’ in this partnership")
    elif body.pk not in lookups.managed:
        error("body", f"You do not co-ordinate {body.name}, so you cannot import its indicators")
    else:
        new["body"] = body

    outcome_code = cell("outcome")
    if outcome_code:
        outcome = lookups.outcomes.get(outcome_code.lower())
        if outcome is None:
            error("outcome", f"There is no outcome with the code ‘{outcome_code}’")
        else:
            new["outcome"] = outcome
    elif outcome_code is not None:
        new["outcome"] = None

    for key, enum in CHOICES.items():
        text = cell(key)
        if text:
            value = _choice(enum, text)
            if value is None:
                options = join_words([c.value for c in enum], "or")
                error(key, f"‘{text}’ is not {NOUNS[key]}; use {options}")
            else:
                new[key] = value
        elif key in ("unit", "polarity"):
            error(key, f"Enter the {'unit' if key == 'unit' else 'polarity'}")

    email = cell("lead")
    if not email:
        error("lead", "Enter the e-mail address of the indicator’s lead")
    elif email.lower() not in lookups.leads:
        error("lead", f"No one in this partnership has the e-mail address ‘{email}’")
    else:
        new["lead"] = lookups.leads[email.lower()]

    places = cell("decimal_places")
    if places:
        if places in {"0", "1", "2", "3", "4"}:
            new["decimal_places"] = int(places)
        else:
            error("decimal_places", "Enter the decimal places as a whole number from 0 to 4")
    for key, noun in (("tolerance", "tolerance"), ("travel_margin", "margin for no change")):
        text = cell(key)
        if text:
            value, problem = _amount(text, noun)
            if problem:
                error(key, problem)
            else:
                new[key] = value
    published = cell("published")
    if published:
        if published.lower() in YES | NO:
            new["published"] = published.lower() in YES
        else:
            error("published", f"‘{published}’ is not yes or no")

    period = cell("baseline_period")
    if period is not None:
        if period and not _is_period(period):
            error(
                "baseline_period",
                "Enter the baseline period as a financial year or quarter, like 2024/25 or "
                "2024/25 Q4",
            )
        new["baseline_period"] = period

    # Figures are read in the unit and decimal places the indicator will have.
    proto = Indicator(partnership=partnership)
    if row.indicator is not None:
        proto.unit, proto.decimal_places = row.indicator.unit, row.indicator.decimal_places
    proto.unit = new.get("unit", proto.unit)
    proto.decimal_places = new.get("decimal_places", proto.decimal_places)
    if proto.unit and not wrong & {"unit", "decimal_places"}:
        if cell("baseline_value") is not None:
            new["baseline_value"] = _figure(proto, cell("baseline_value"), error, "baseline_value")
        for index, target, header in layout.targets:
            text = cells[index] if index < len(cells) else ""
            try:
                row.targets[target] = parse_value(proto, text)
            except ValidationError as problem:
                row.errors.append(RowError(number, header, problem.messages[0]))
    if "code" not in wrong:
        # Not for another group's indicator: its details are not the person's to see.
        _compare(row, new, proto)
    return row


def _choice(enum, text: str) -> str | None:
    wanted = text.strip().lower()
    for choice in enum:
        if wanted in (choice.value, choice.label.lower(), choice.value.replace("_", " ")):
            return choice.value
        if re.sub(r"[\s-]+", "_", wanted) == choice.value:
            return choice.value
    return None


def _amount(text: str, noun: str) -> tuple[Decimal | None, str]:
    try:
        value = Decimal(text.replace(",", "").removesuffix("%").strip())
    except InvalidOperation:
        return None, f"Enter the {noun} as a number, like 5 or 2.5"
    if not value.is_finite():
        return None, f"Enter the {noun} as a number, like 5 or 2.5"
    if value < 0:
        return None, f"The {noun} cannot be less than 0"
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -4:
        return None, f"Enter the {noun} to no more than 4 decimal places"
    if value >= Decimal(10) ** 12:
        return None, f"The {noun} is too large"
    return value, ""


def _figure(proto: Indicator, text: str, error, key: str) -> Decimal | None:
    try:
        return parse_value(proto, text)
    except ValidationError as problem:
        error(key, problem.messages[0])
        return None


def _is_period(text: str) -> bool:
    for candidate in (text, f"{text} Q4"):
        try:
            Quarter.parse(candidate)
        except ValueError:
            continue
        return True
    return False


# --- what changes -------------------------------------------------------------------------------


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, str) or isinstance(new, str):
        # Line endings differ between a browser's form, a CSV file and Excel: not a change.
        return _lines(old or "") == _lines(new or "")
    return old == new


def _lines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _shown(key: str, value: Any, proto: Indicator) -> str:
    if value is None or value == "":
        return "(none)"
    if key in CHOICES:
        return str(CHOICES[key](value).label)
    if key == "baseline_value":
        return format_value(proto, value)
    if key == "published":
        return "Yes" if value else "No"
    if key == "lead":
        return value.email
    if isinstance(value, Decimal):
        return format(plain_number(value, 0), "f")
    return str(value)


def _compare(row: PreviewRow, new: dict[str, Any], proto: Indicator) -> None:
    """Keep only what would change, so an unchanged row writes nothing (and no history)."""
    headers = {c.key: c.header for c in COLUMNS}
    existing = row.indicator
    if existing is None:
        row.fields = new
        row.targets = {period: v for period, v in row.targets.items() if v is not None}
        return
    # Codes are matched ignoring case, and an existing one keeps the case it has.
    new.pop("code", None)
    for key, value in new.items():
        old = getattr(existing, key)
        if _same(getattr(old, "pk", old), getattr(value, "pk", value)):
            continue
        row.fields[key] = value
        row.changes.append(
            Change(headers[key], _shown(key, old, existing), _shown(key, value, proto))
        )
    current = {(t.year, t.quarter): t.value for t in existing.targets.all()}
    changed = {}
    for period, value in row.targets.items():
        old = current.get(period)
        if old == value:
            continue
        changed[period] = value
        row.changes.append(
            Change(
                target_header(*period),
                "(none)" if old is None else format_value(existing, old),
                "(none)" if value is None else format_value(proto, value),
            )
        )
    row.targets = changed
