"""A risk register as a CSV or Excel (.xlsx) file, and importing it again: the indicators'
import and export (``performance.services.transfer``: reading the file, the header, the
writers, the preview, keeping an upload until it is confirmed) with a risk's columns.

One row per risk, matched to an existing risk by its code within the partnership (ignoring
case). The columns are ``RISK_COLUMNS``, in the order export writes them. What a cell means:
- Code, title, owning body (its name or its slug), category, risk owner (an e-mail address),
  the owner's organisation and the six scores (whole numbers 1 to 5) must be in the file and
  filled in on every row.
- Description, cause, effect and the links: blank clears. Outcomes and indicators are listed
  by their codes, delivery-plan actions by their references (A12: actions have no code of
  their own, so the reference is the action's number), separated by semicolons.
- Confidential: yes or no; blank leaves it (a new risk is not confidential).
- Status: open or closed; blank leaves it (a new risk is open). A risk changed to closed is
  closed through ``risk_close`` with the "Reason for closing" (required then) on "Closed on"
  (or today); one changed to open is reopened. The closing date and reason of a risk already
  closed do not change on import.
- Scores, ratings, escalation and last review are written for reading and ignored on import,
  as is the Controls sheet of an Excel file: controls are kept on the risk's page.

Only the risks of bodies whose register the person keeps (``can_manage_risks``) are imported:
a row for any other body is an error, as is a code already used by a risk they cannot see
(which says nothing else of that risk). A risk they see but do not keep (one escalated to a
body they sit on) may be in the file, so their own export imports again, as long as its row
changes nothing. Nothing is saved unless every row is good, and saving
goes through ``risk_create``, ``risk_update``, ``risk_close`` and ``risk_reopen`` (so history,
the register's rules and the escalation check hold). An unchanged row writes nothing: a file
exported and imported again changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from membership.models import Membership, User
from partnership.models import Body, Organisation, Partnership
from partnership.periods import Quarter
from performance.models import (
    Indicator,
    Outcome,
    PlanAction,
    Risk,
    RiskControl,
    RiskReview,
    RiskStatus,
)
from performance.permissions import can_manage_risks
from performance.selectors.risks import band_of, risk_settings_of, risks_visible_to
from performance.services.risks.register import (
    SCORE_FIELDS,
    risk_categories,
    risk_close,
    risk_create,
    risk_reopen,
    risk_update,
)
from performance.services.transfer.export import write_csv, write_xlsx
from performance.services.transfer.preview import Change, ImportPreview
from performance.services.transfer.shape import (
    MAX_ROWS,
    MAX_SHEET_ROWS,
    NO,
    YES,
    Column,
    FileProblem,
    RowError,
    header_layout,
    read_table,
)

__all__ = ["RISK_COLUMNS", "risks_export", "risks_import", "risks_parse"]

SCORE_HINT = "A whole number from 1 (lowest) to 5."
RISK_COLUMNS = [
    Column("code", "Code", required=True, hint="Up to 20 characters, unique in the partnership."),
    Column("title", "Title", required=True),
    Column(
        "body",
        "Owning body",
        required=True,
        aliases=("body",),
        hint="The body’s name as on its page, or its short name in the address.",
    ),
    Column("category", "Category", required=True, hint="One of the partnership’s categories."),
    Column("description", "Description"),
    Column("cause", "Cause"),
    Column("effect", "Effect"),
    Column(
        "owner",
        "Risk owner",
        required=True,
        aliases=("owner", "owner e-mail", "owner email"),
        hint="The owner’s e-mail address: someone who represents the organisation below.",
    ),
    Column(
        "owner_organisation",
        "Risk owner’s organisation",
        required=True,
        aliases=("risk owner's organisation", "owner organisation", "organisation"),
        hint="The partner organisation’s name.",
    ),
    Column("outcomes", "Outcomes", hint="Outcome codes, separated by semicolons."),
    Column("indicators", "Indicators", hint="Indicator codes, separated by semicolons."),
    Column(
        "actions",
        "Delivery-plan actions",
        aliases=("actions",),
        hint="Action references (A12), separated by semicolons.",
    ),
    *[
        Column(name, name.replace("_", " ").capitalize(), required=True, hint=SCORE_HINT)
        for name in SCORE_FIELDS
    ],
    Column("confidential", "Confidential", hint="yes or no."),
    Column("status", "Status", hint="open or closed."),
    Column("closed_on", "Closed on", hint="The day it was closed (2026-03-31 or 31/03/2026)."),
    Column("closure_reason", "Reason for closing", hint="Needed when a risk is closed."),
    # Written for reading; import ignores them.
    Column("inherent_score", "Inherent score", hint="Written on export; ignored on import."),
    Column("residual_score", "Residual score", hint="Written on export; ignored on import."),
    Column("residual_band", "Residual rating", hint="Written on export; ignored on import."),
    Column("target_score", "Target score", hint="Written on export; ignored on import."),
    Column("escalated_to", "Escalated to", hint="Written on export; ignored on import."),
    Column("last_review", "Last reviewed", hint="Written on export; ignored on import."),
]
CONTROL_HEADER = ["Risk", "Control", "Owner", "Due", "Status", "How effective", "In place since"]
LINK_FIELDS = ("outcomes", "indicators", "actions")
ACTION_REF = re.compile(r"^a?(\d{1,10})$", re.IGNORECASE)


def _refs(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;,\n]+", text) if part.strip()]


# --- export -------------------------------------------------------------------------------------


def _risk_row(risk: Risk, bands: Any, reviewed: dict[int, RiskReview]) -> list[Any]:
    def score(n: int) -> tuple[Decimal, int]:
        return Decimal(n), 0

    review = reviewed.get(risk.pk)
    return [
        risk.code,
        risk.title,
        risk.body.name,
        risk.category.name,
        risk.description,
        risk.cause,
        risk.effect,
        risk.owner.email,
        risk.owner_organisation.name,
        "; ".join(sorted(o.code for o in risk.outcomes.all())),
        "; ".join(sorted(i.code for i in risk.indicators.all())),
        "; ".join(f"A{a.pk}" for a in sorted(risk.actions.all(), key=lambda a: a.pk)),
        *(score(getattr(risk, name)) for name in SCORE_FIELDS),
        "yes" if risk.confidential else "no",
        risk.status,
        risk.closed_on.isoformat() if risk.closed_on else "",
        risk.closure_reason,
        score(risk.inherent_score),
        score(risk.residual_score),
        band_of(bands, risk.residual_score).label,
        score(risk.target_score),
        risk.escalated_to.name if risk.escalated_to else "",
        f"{Quarter(review.year, review.quarter).short_label}, {review.reviewed_at:%Y-%m-%d}"
        if review
        else "",
    ]


def _control_rows(risks: list[Risk]) -> list[list[Any]]:
    return [
        [
            risk.code,
            control.description,
            control.owner.email,
            control.due_on.isoformat(),
            control.get_status_display(),
            control.get_effectiveness_display(),
            control.done_on.isoformat() if control.done_on else "",
        ]
        for risk in risks
        for control in risk.controls.all()
    ]


def risks_export(
    *, partnership: Partnership, risks: QuerySet[Risk] | Iterable[Risk], file_format: str = "csv"
) -> bytes:
    """The risks as a CSV file, or an Excel workbook whose first sheet is the same and whose
    second lists their controls (for reading: import ignores it). ``risks`` must already be
    only those the person may see. A fixed number of queries however many risks."""
    if file_format not in ("csv", "xlsx"):
        raise ValueError(f"Cannot export as {file_format!r}: use csv or xlsx")
    qs = risks if isinstance(risks, QuerySet) else Risk.objects.filter(pk__in=[r.pk for r in risks])
    found = list(
        qs.select_related("body", "category", "owner", "owner_organisation", "escalated_to")
        .prefetch_related(
            Prefetch("outcomes", queryset=Outcome.objects.order_by()),
            Prefetch("indicators", queryset=Indicator.objects.order_by()),
            Prefetch("actions", queryset=PlanAction.objects.order_by()),
            Prefetch("controls", queryset=RiskControl.objects.select_related("owner")),
        )
        .order_by("code", "pk")
    )
    reviewed: dict[int, RiskReview] = {}
    for review in RiskReview.objects.filter(risk__in=[r.pk for r in found]).order_by(
        "risk_id", "-reviewed_at", "-pk"
    ):
        reviewed.setdefault(review.risk_id, review)
    bands = risk_settings_of(partnership)
    header = [c.header for c in RISK_COLUMNS]
    rows = [_risk_row(risk, bands, reviewed) for risk in found]
    if file_format == "xlsx":
        return write_xlsx(
            [("Risks", header, rows), ("Controls", CONTROL_HEADER, _control_rows(found))]
        )
    return write_csv(header, rows)


# --- reading a file into a preview --------------------------------------------------------------


@dataclass
class RiskRow:
    """One row of the file: what it would do to which risk."""

    number: int
    code: str
    title: str = ""
    risk: Risk | None = None  # the existing one, for an update
    body: Body | None = None
    fields: dict[str, Any] = field(default_factory=dict)  # only what changes, for an update
    # A risk the person sees but does not keep (escalated to a body they sit on): a row that
    # leaves it as it is is fine (their own export holds it); one that changes it is an error.
    read_only: bool = False
    close: tuple[date, str] | None = None  # (closed on, reason) when the row closes the risk
    reopen: bool = False
    changes: list[Change] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def action(self) -> str:
        if self.risk is None:
            return "create"
        return "update" if self.fields or self.close or self.reopen else "unchanged"


@dataclass
class _Lookups:
    """Everything the rows refer to, loaded in a fixed number of queries."""

    bodies: dict[str, Body]
    managed: set[int]
    visible: set[int]
    categories: dict[str, Any]
    organisations: dict[str, Organisation]
    owners: dict[str, User]
    sitting: set[tuple[int, int]]  # (person, organisation) holding a place now
    outcomes: dict[str, Outcome]
    indicators: dict[str, Indicator]
    actions: dict[int, PlanAction]
    risks: dict[str, Risk]

    @classmethod
    def load(cls, *, partnership: Partnership, actor: Any, emails: set[str]) -> _Lookups:
        bodies = list(Body.objects.filter(partnership=partnership))
        by_name = {b.name.lower(): b for b in bodies}
        by_name.update({b.slug.lower(): b for b in bodies if b.slug.lower() not in by_name})
        current = Membership.objects.current().filter(body__partnership=partnership)
        sitting = set(current.values_list("person_id", "organisation_id"))
        # An owner is someone in the partnership now, or already owns one of its risks (so
        # an unchanged row keeps an owner whose membership has since ended).
        owners = (
            User.objects.annotate(address=Lower("email"))
            .filter(address__in=emails)
            .filter(Q(pk__in=current.values("person_id")) | Q(risks_owned__partnership=partnership))
        )
        risks = (
            Risk.objects.filter(partnership=partnership)
            .select_related("body")
            .prefetch_related(
                Prefetch("outcomes", queryset=Outcome.objects.order_by()),
                Prefetch("indicators", queryset=Indicator.objects.order_by()),
                Prefetch("actions", queryset=PlanAction.objects.order_by()),
            )
        )
        return cls(
            bodies=by_name,
            managed={b.pk for b in bodies if can_manage_risks(actor, b)},
            visible=set(risks_visible_to(actor, partnership).values_list("pk", flat=True)),
            categories={c.name.lower(): c for c in risk_categories(partnership)},
            organisations={
                o.name.lower(): o for o in Organisation.objects.filter(partnership=partnership)
            },
            owners={u.email.lower(): u for u in owners.distinct()},
            sitting=sitting,
            outcomes={o.code.lower(): o for o in Outcome.objects.filter(partnership=partnership)},
            indicators={
                i.code.lower(): i for i in Indicator.objects.filter(partnership=partnership)
            },
            actions={a.pk: a for a in PlanAction.objects.filter(outcome__partnership=partnership)},
            risks={r.code.lower(): r for r in risks},
        )


def _empty(preview: ImportPreview, reason: str) -> ImportPreview:
    preview.file_errors.append(RowError(None, "", reason))
    return preview


def risks_parse(*, partnership: Partnership, actor: Any, name: str, data: bytes) -> ImportPreview:
    """Read and check a whole file; nothing is saved. Every problem found is in
    ``preview.errors``, each with its row (as the spreadsheet numbers it) and column; each
    row's own are also in ``row.errors``, to be shown beside it."""
    preview = ImportPreview(name=name, noun="risk")
    try:
        table = read_table(name, data)
    except FileProblem as problem:
        return _empty(preview, str(problem))
    if not table or not any(table[0]):
        return _empty(preview, "The file is empty: it needs a header row and a row per risk")
    layout = header_layout(
        table[0],
        errors=preview.file_errors,
        ignored=preview.ignored_columns,
        columns=RISK_COLUMNS,
        targets=False,
    )
    rows = [(n, cells) for n, cells in enumerate(table[1:], start=2) if any(cells)]
    if not rows:
        preview.file_errors.append(
            RowError(None, "", "The file has no risks in it: add a row for each risk")
        )
    elif len(rows) > MAX_ROWS or len(table) > MAX_SHEET_ROWS:
        preview.file_errors.append(
            RowError(
                None,
                "",
                f"The file has more than {MAX_ROWS:,} risks: import at most {MAX_ROWS:,} at a time",
            )
        )
    if preview.file_errors:
        return preview
    at = layout.columns["owner"]
    emails = {cells[at].lower() for _, cells in rows if at < len(cells)}
    lookups = _Lookups.load(partnership=partnership, actor=actor, emails=emails)
    seen: dict[str, int] = {}
    for number, cells in rows:
        preview.rows.append(_parse_row(number, cells, layout, lookups, seen))
    return preview


def _parse_row(number, cells, layout, lookups: _Lookups, seen) -> RiskRow:
    def cell(key: str) -> str | None:
        """The cell's text; None when the file has no such column."""
        index = layout.columns.get(key)
        if index is None:
            return None
        return cells[index] if index < len(cells) else ""

    row = RiskRow(number=number, code=cell("code") or "", title=cell("title") or "")

    def error(key: str, reason: str) -> None:
        row.errors.append(RowError(number, layout.headers.get(key, key), reason))

    new: dict[str, Any] = {}
    code = row.code
    if not code:
        error("code", "Enter the risk’s code")
    elif len(code) > 20:
        error("code", "The code must be 20 characters or fewer")
    elif code.lower() in seen:
        error("code", f"{code} is also on row {seen[code.lower()]}: list each risk once")
    else:
        seen[code.lower()] = number
        existing = lookups.risks.get(code.lower())
        if existing is not None and existing.body_id not in lookups.managed:
            if existing.pk not in lookups.visible:
                # Nothing more about it: it is not theirs to see.
                error("code", f"The reference {code} is already in use: use another code")
                return row
            row.read_only = True
        row.risk = existing
        if existing is None:
            new["code"] = code

    title = cell("title")
    if not title:
        error("title", "Enter the risk’s title")
    elif len(title) > 200:
        error("title", "The title must be 200 characters or fewer")
    else:
        new["title"] = title
    for key in ("description", "cause", "effect"):
        if cell(key) is not None:
            new[key] = cell(key)

    body_name = cell("body")
    body = lookups.bodies.get(body_name.lower()) if body_name else None
    if not body_name:
        error("body", "Enter the name of the body that owns the risk")
    elif body is None:
        error("body", f"There is no body called ‘{body_name}’ in this partnership")
    elif body.pk not in lookups.managed and not row.read_only:
        error("body", f"You do not keep the {body.name}’s register, so you cannot import its risks")
    else:
        new["body"] = body
        row.body = body

    category_name = cell("category")
    category = lookups.categories.get(category_name.lower()) if category_name else None
    if not category_name:
        error("category", "Enter the risk’s category")
    elif category is None:
        names = ", ".join(sorted(c.name for c in lookups.categories.values()))
        error("category", f"‘{category_name}’ is not a category of this partnership: use {names}")
    else:
        new["category"] = category

    email = cell("owner")
    owner = lookups.owners.get(email.lower()) if email else None
    if not email:
        error("owner", "Enter the e-mail address of the risk owner")
    elif owner is None:
        error("owner", f"No one in this partnership has the e-mail address ‘{email}’")
    else:
        new["owner"] = owner
    organisation_name = cell("owner_organisation")
    organisation = (
        lookups.organisations.get(organisation_name.lower()) if organisation_name else None
    )
    if not organisation_name:
        error("owner_organisation", "Enter the risk owner’s organisation")
    elif organisation is None:
        error(
            "owner_organisation",
            f"There is no partner organisation called ‘{organisation_name}’ in this partnership",
        )
    else:
        new["owner_organisation"] = organisation

    _links(cell, error, lookups, new)
    _scores(cell, error, new)

    confidential = cell("confidential")
    if confidential:
        if confidential.lower() in YES | NO:
            new["confidential"] = confidential.lower() in YES
        else:
            error("confidential", f"‘{confidential}’ is not yes or no")
    _status(row, cell, error)

    if not row.errors:
        _compare(row, new)
        if row.read_only and row.action != "unchanged":
            error(
                "code",
                f"{row.risk.code} is on the {row.risk.body.name}’s register, which you do not "
                "keep: you can read it but not change it",
            )
        elif row.action != "unchanged" and (owner.pk, organisation.pk) not in lookups.sitting:
            # The register's rule (risk_update checks it on every change): said here, by the
            # row, rather than as a failure at the end.
            error(
                "owner",
                f"{owner.email} does not currently represent {organisation.name} in this "
                "partnership: choose another owner",
            )
    return row


def _links(cell, error, lookups: _Lookups, new: dict[str, Any]) -> None:
    for key, found, noun in (
        ("outcomes", lookups.outcomes, "outcome"),
        ("indicators", lookups.indicators, "indicator"),
    ):
        text = cell(key)
        if text is None:
            continue
        chosen, unknown = [], []
        for ref in _refs(text):
            (chosen if ref.lower() in found else unknown).append(ref)
        if unknown:
            error(key, f"There is no {noun} with the code {', '.join(unknown)}")
        else:
            new[key] = [found[ref.lower()] for ref in chosen]
    text = cell("actions")
    if text is not None:
        chosen, unknown = [], []
        for ref in _refs(text):
            match = ACTION_REF.match(ref)
            action = lookups.actions.get(int(match[1])) if match else None
            (unknown.append(ref) if action is None else chosen.append(action))
        if unknown:
            error("actions", f"There is no delivery-plan action {', '.join(unknown)}")
        else:
            new["actions"] = chosen


def _scores(cell, error, new: dict[str, Any]) -> None:
    for name in SCORE_FIELDS:
        text = (cell(name) or "").strip()
        # Excel may hand a whole number back as "3.0".
        text = text[:-2] if text.endswith(".0") else text
        if text in {"1", "2", "3", "4", "5"}:
            new[name] = int(text)
        else:
            error(name, "Enter a whole number from 1 to 5")
    for part in ("likelihood", "impact"):
        target, inherent = new.get(f"target_{part}"), new.get(f"inherent_{part}")
        if target is not None and inherent is not None and target > inherent:
            error(f"target_{part}", f"The target {part} cannot be worse than the inherent {part}")


def _date(text: str) -> date | None:
    for shape in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text.strip(), shape).date()
        except ValueError:
            continue
    return None


def _status(row: RiskRow, cell, error) -> None:
    status = (cell("status") or "").strip().lower()
    if not status:
        return
    if status not in RiskStatus.values:
        error("status", f"‘{cell('status')}’ is not a status: use open or closed")
        return
    was = row.risk.status if row.risk else RiskStatus.OPEN
    if status == was:
        return
    if status == RiskStatus.OPEN:
        row.reopen = True
        return
    reason = (cell("closure_reason") or "").strip()
    if not reason:
        error("closure_reason", "Say why the risk is closed")
    text = (cell("closed_on") or "").strip()
    closed_on = _date(text) if text else timezone.localdate()
    if closed_on is None:
        error("closed_on", "Enter the day it was closed, like 2026-03-31 or 31/03/2026")
    elif closed_on > timezone.localdate():
        error("closed_on", "The day it was closed cannot be in the future")
    elif reason:
        row.close = (closed_on, reason)


def _lines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _shown(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "(none)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, User):
        return value.email
    if isinstance(value, list):
        return "; ".join(sorted(str(getattr(v, "code", None) or f"A{v.pk}") for v in value))
    return str(getattr(value, "name", value))


def _compare(row: RiskRow, new: dict[str, Any]) -> None:
    """Keep only what would change, so an unchanged row writes nothing (and no history)."""
    headers = {c.key: c.header for c in RISK_COLUMNS}
    existing = row.risk
    if existing is None:
        row.fields = new
        return
    for key, value in new.items():
        if key in LINK_FIELDS:
            old = list(getattr(existing, key).all())
            if {o.pk for o in old} == {v.pk for v in value}:
                continue
        else:
            old = getattr(existing, key)
            if isinstance(old, str) or isinstance(value, str):
                if _lines(old or "") == _lines(value or ""):
                    continue
            elif getattr(old, "pk", old) == getattr(value, "pk", value):
                continue
        row.fields[key] = value
        row.changes.append(Change(headers[key], _shown(old), _shown(value)))
    if row.close:
        row.changes.append(Change("Status", "Open", f"Closed: {row.close[1]}"))
    if row.reopen:
        row.changes.append(Change("Status", "Closed", "Open"))


# --- saving -------------------------------------------------------------------------------------


def risks_import(*, partnership: Partnership, actor: Any, preview: ImportPreview) -> int:
    """Save a clean preview, all or nothing, through the register's services; returns how
    many risks were created or changed. A row a service refuses (a race since the preview)
    rolls everything back and raises ValidationError naming the row."""
    if not preview.is_valid:
        raise ValidationError("The file has errors, so nothing was imported")
    reason = f"Imported from {preview.name}"[:100]
    done = 0
    with transaction.atomic():
        for row in preview.rows:
            if row.action == "unchanged":
                continue
            try:
                if row.risk is None:
                    fields = dict(row.fields)
                    risk = risk_create(actor=actor, body=fields.pop("body"), **fields)
                else:
                    risk = row.risk
                    if row.reopen:
                        risk = risk_reopen(actor=actor, risk=risk, reason=reason)
                    if row.fields:
                        risk = risk_update(actor=actor, risk=risk, reason=reason, **row.fields)
                if row.close:
                    closed_on, why = row.close
                    risk_close(actor=actor, risk=risk, reason=why, today=closed_on)
            except (ValidationError, Risk.DoesNotExist) as problem:
                messages = getattr(problem, "messages", ["the risk was deleted a moment ago"])
                raise ValidationError(
                    f"Row {row.number} ({row.code}): {' '.join(messages)}. Nothing was imported."
                ) from problem
            done += 1
    return done
