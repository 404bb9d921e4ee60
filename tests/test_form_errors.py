"""The GOV.UK error pattern on every form: an empty submit shows an error summary whose links
lead to the fields, each with its message beside it, and never an "Important" banner.

Every page of the URL matrices that some role may open (as the most privileged role that
may) is fetched; each of its POST forms with a field a person fills in is sent back with every
such field empty (the CSRF token and hidden inputs kept; unticked boxes simply absent). Each
POST runs in a savepoint that is rolled back, so one form's submit never changes the next
page. A form that may rightly be sent empty is listed in ``VALID_WHEN_EMPTY`` with the
reason, and must then redirect: a form that starts refusing, or stops existing, fails here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.db import transaction
from django.test import Client
from django.urls import resolve, reverse

from tests.test_url_access import ROLES, drain, urls

# The most privileged first: the one who sees every field a form can have.
PREFERENCE = [*reversed(ROLES), "governance_lead"]

# Forms an empty submit may rightly send, by the URL name they post to. Each must redirect.
VALID_WHEN_EMPTY: dict[str, str] = {
    "governance:apologies": "apologies need no reason; a substitute is optional",
    "performance:targets_edit": "every target is optional: an empty box means no target",
    "performance:risk_appetite": "an appetite is optional: empty means none is set",
    "governance:minutes_edit": "the primary button saves the draft, which may be blank to "
    "come back to; submitting to the chair is a button of its own",
    # Its primary button is "Save and approve". The services let the chair approve a report
    # whose narrative is not written (the report then shows each prompt): whether approval
    # should need the narrative is a product question, left to the services to decide.
    "performance:report_edit": "the narrative is optional while drafting, and approval does "
    "not yet require it",
    "performance:report_submit": "sending to the chair needs nothing more; only the chair "
    "being unavailable asks for a reason",
}

FIELD_TAGS = {"input", "select", "textarea"}
NOT_USER_FIELDS = {"hidden", "submit", "button", "image", "reset"}
# The header's search box and the sign-out button are on every page, and are not forms
# anyone fills in to be refused.
IGNORED_ACTIONS = {"logout"}


@dataclass
class Form:
    action: str
    hidden: list[tuple[str, str]] = field(default_factory=list)
    # The primary button (the first not styled as secondary, else the first), sent as a
    # browser sends the button pressed: "Submit for sign-off" rather than "Check rating".
    submitter: tuple[str, str] | None = None
    primary_seen: bool = False
    buttons_seen: bool = False
    user_fields: list[str] = field(default_factory=list)


def _is_submit(tag: str, a: dict[str, str]) -> bool:
    kind = a.get("type", "submit" if tag == "button" else "text").lower()
    return (tag == "button" and kind == "submit") or (tag == "input" and kind == "submit")


class Page(HTMLParser):
    """What the sweep needs of a page: its POST forms, its ids, the error summary's links,
    its error messages and its banners."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.ids: dict[str, str] = {}  # id -> tag
        self.first_option: dict[str, str] = {}  # a radio or box's name -> the first one's id
        self.option_name: dict[str, str] = {}  # a radio or box's id -> its name
        # Each field's nearest "govuk-form-group--error", and which of those hold a message.
        self.error_group_of: dict[str, int] = {}
        self.groups_with_message: set[int] = set()
        self._groups: list[int | None] = []  # per open div: its error group's number, if any
        self._group_count = 0
        self.summary_links: list[str] = []
        self.has_summary = False
        self.error_banners: list[str] = []
        self._form: Form | None = None
        self._in_summary = 0
        self._banner_depth = 0
        self._div_depth = 0
        self._banner_text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        classes = set(a.get("class", "").split())
        if "id" in a:
            self.ids[a["id"]] = tag
        open_groups = [g for g in self._groups if g is not None]
        if "govuk-error-message" in classes and open_groups:
            self.groups_with_message.add(open_groups[-1])
        if tag == "input" and a.get("type") in ("radio", "checkbox") and "id" in a:
            self.first_option.setdefault(a.get("name", ""), a["id"])
            self.option_name[a["id"]] = a.get("name", "")
        if tag in FIELD_TAGS and "id" in a and open_groups:
            self.error_group_of[a["id"]] = open_groups[-1]
        if tag == "div":
            self._div_depth += 1
            error_group = "govuk-form-group--error" in classes
            self._group_count += error_group
            self._groups.append(self._group_count if error_group else None)
            if "govuk-error-summary" in classes:
                self.has_summary = True
                self._in_summary = self._div_depth
            if "govuk-notification-banner" in classes and (
                "govuk-notification-banner--success" not in classes
            ):
                self._banner_depth = self._div_depth
                self._banner_text = []
        if tag == "a" and self._in_summary and a.get("href", "").startswith("#"):
            self.summary_links.append(a["href"][1:])
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                self._form = Form(action=a.get("action", ""))
                self.forms.append(self._form)
            else:
                self._form = None
        elif self._form is not None and _is_submit(tag, a):
            primary = not classes & {"govuk-button--secondary", "govuk-button--warning"}
            form = self._form
            if not form.primary_seen and (primary or not form.buttons_seen):
                form.submitter = (a["name"], a.get("value", "")) if a.get("name") else None
            form.primary_seen |= primary
            form.buttons_seen = True
        elif self._form is not None and tag in FIELD_TAGS and a.get("name"):
            kind = a.get("type", "text").lower() if tag == "input" else tag
            if kind == "hidden":
                self._form.hidden.append((a["name"], a.get("value", "")))
            elif kind not in NOT_USER_FIELDS:
                self._form.user_fields.append(a["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        if tag == "div":
            if self._in_summary == self._div_depth:
                self._in_summary = 0
            if self._banner_depth == self._div_depth:
                self.error_banners.append(" ".join("".join(self._banner_text).split()))
                self._banner_depth = 0
            self._div_depth -= 1
            if self._groups:
                self._groups.pop()

    def handle_data(self, data):
        if self._banner_depth:
            self._banner_text.append(data)


def _problems_with_error_page(page: Page) -> list[str]:
    problems = []
    if not page.has_summary:
        problems.append("no error summary")
    for target in page.summary_links:
        if page.ids.get(target) not in FIELD_TAGS:
            problems.append(f"summary link #{target} leads to no field")
        elif page.error_group_of.get(target) not in page.groups_with_message:
            problems.append(f"no error message beside #{target}")
        elif target in page.option_name and (page.first_option[page.option_name[target]] != target):
            problems.append(f"summary link #{target} is not the first of its options")
    linked = {page.error_group_of.get(target) for target in page.summary_links}
    if unlinked := set(page.error_group_of.values()) - linked:
        problems.append(f"{len(unlinked)} field(s) in error not linked from the summary")
    if page.has_summary and not page.summary_links:
        problems.append("the error summary links to no field")
    if page.error_banners:
        problems.append(f"an error shown as a banner: {page.error_banners}")
    return problems


class Sweep:
    """One client per role; every form of every page, sent empty; the problems collected."""

    def __init__(self, people: dict):
        self.people = people
        self.clients: dict[str, Client] = {}
        self.problems: list[str] = []
        self.valid_seen: set[str] = set()
        self.forms_seen = 0

    def client(self, role: str) -> Client:
        if role not in self.clients:
            client = Client()
            if role != "anonymous":
                client.force_login(self.people[role])
            self.clients[role] = client
        return self.clients[role]

    def matrix(self, rows) -> None:
        """Rows of (url name, kwargs, expected by role) from a URL-access matrix."""
        for name, kwargs, expected in rows:
            role = next((r for r in PREFERENCE if expected.get(r) == 200), None)
            if role is not None:
                self.page(reverse(name, kwargs=kwargs), role)

    def page(self, address: str, role: str) -> None:
        response = self.client(role).get(address)
        body = drain(response)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            return
        for form in Page(body.decode()).forms:
            action = urljoin(address, form.action or address)
            path = urlsplit(action).path
            name = resolve(path).view_name
            if name in IGNORED_ACTIONS or not form.user_fields:
                continue
            self.submit(role, address, action, name, form)

    def submit(self, role, address, action, name, form) -> None:
        self.forms_seen += 1
        where = f"{name} (on {address} as {role})"
        data: dict[str, list[str]] = {}
        for key, value in [*form.hidden, *([form.submitter] if form.submitter else [])]:
            data.setdefault(key, []).append(value)
        with transaction.atomic():
            response = self.client(role).post(action, data)
            body = drain(response).decode(errors="replace")
            after = ""
            if response.status_code == 302:
                # What the redirect shows (a banner left in the session) belongs to this submit.
                after = drain(self.client(role).get(response["Location"])).decode()
            transaction.set_rollback(True)
        if name in VALID_WHEN_EMPTY:
            self.valid_seen.add(name)
            if response.status_code != 302:
                self.problems.append(
                    f"{where}: listed as valid when empty but answered {response.status_code}"
                )
            elif banners := Page(after).error_banners:
                self.problems.append(f"{where}: listed as valid when empty but said {banners}")
            return
        if response.status_code != 200:
            shown = Page(after).error_banners if after else []
            self.problems.append(
                f"{where}: an empty submit answered {response.status_code} {shown or ''}".strip()
            )
            return
        for problem in _problems_with_error_page(Page(body)):
            self.problems.append(f"{where}: {problem}")


def _registers(world, lead):
    from governance import services as gs
    from tests.governance.helpers import schedule
    from tests.governance.test_register_views import register_urls
    from tests.governance.test_registers import declare

    world.governance_lead = lead
    ruled = declare(world)
    ruling = gs.ruling_make(
        actor=world.chair, declaration=ruled, body=world.board, outcome="noted", reason="Fine"
    )
    gs.ruling_dispute(actor=world.member, ruling=ruling, reason="I want it recorded")
    pending = declare(world, organisation=world.charity)
    meeting = schedule(world, days=0)
    item = gs.item_add(actor=world.coordinator, meeting=meeting, title="Grants")
    gs.meeting_publish(actor=world.coordinator, meeting=meeting)
    declared = gs.interest_declare(
        actor=world.coordinator, item=item, person=world.member, nature="Trustee"
    )
    return register_urls(world, ruled, pending, ruling, meeting, declared)


def _minutes(world, sweep: Sweep) -> None:
    """A meeting held today: the co-ordinator's draft, then the chair's review of it."""
    from governance import services as gs
    from tests.governance.helpers import schedule

    meeting = schedule(world, days=0, title="Minutes meeting")
    item = gs.item_add(actor=world.coordinator, meeting=meeting, title="Budget")
    gs.meeting_publish(actor=world.coordinator, meeting=meeting)
    minutes = gs.minutes_start(actor=world.coordinator, meeting=meeting)
    at = {"partnership": world.partnership.slug, "pk": meeting.pk}
    sweep.page(reverse("governance:minutes_edit", kwargs=at), "coordinator")
    entries = {item.pk: ("Agreed the budget.", "")}
    minutes = gs.minutes_save(actor=world.coordinator, minutes=minutes, entries=entries)
    gs.minutes_submit(actor=world.coordinator, minutes=minutes)
    sweep.page(reverse("governance:minutes_review", kwargs=at), "chair")


def _elections(world, sweep: Sweep) -> None:
    from membership import services as ms
    from tests.membership.elections_helpers import (
        add_voters,
        chair_election,
        count,
        set_phase,
        stand,
    )

    board = {"partnership": world.partnership.slug, "body": world.board.slug}
    sweep.page(reverse("membership:election_create", kwargs=board), "coordinator")
    # A ballot first, then closed (a body has one election for a post at a time), where
    # anyone may check their receipt was counted.
    voting = chair_election(world)
    [voter] = add_voters(world, 1)
    stand(voting, world.chair, world.member, voter)
    set_phase(voting, "voting")
    sweep.page(reverse("membership:ballot", kwargs={**board, "pk": voting.pk}), "member")
    # Sealed: an officer enters their code to count (the co-ordinator's void is a button).
    set_phase(voting, "counting")
    ms.election_close(actor=world.coordinator, election=voting)
    sweep.people["officer"] = voting.officers.first().person
    at = {**board, "pk": voting.pk}
    sweep.page(reverse("membership:election_counting", kwargs=at), "officer")
    sweep.page(reverse("membership:election_detail", kwargs=at), "coordinator")
    count(voting)
    sweep.page(reverse("membership:election_detail", kwargs=at), "member")
    # Void, to be run again.
    void = chair_election(world)
    set_phase(void, "voting")
    ms.electorate_fix(election=void)
    set_phase(void, "counting")
    ms.election_close(actor=world.coordinator, election=void)
    ms.election_void(actor=world.coordinator, election=void)
    sweep.page(reverse("membership:election_rerun", kwargs={**board, "pk": void.pk}), "coordinator")
    nominating = chair_election(world)
    # Its officers, named again (the helper's are ticked; the sweep sends none).
    sweep.page(
        reverse("membership:election_officers", kwargs={**board, "pk": nominating.pk}),
        "coordinator",
    )
    candidate = ms.candidate_propose(actor=world.chair, election=nominating, person=world.member)
    ms.candidate_second(actor=voter, candidate=candidate)
    at = {**board, "pk": nominating.pk}
    sweep.page(reverse("membership:election_detail", kwargs=at), "chair")
    sweep.page(reverse("membership:election_detail", kwargs=at), "coordinator")
    sweep.page(
        reverse("membership:candidate_respond", kwargs={**at, "candidate": candidate.pk}),
        "member",
    )


def _agreement(world, lead, sweep: Sweep) -> None:
    from membership import services as ms
    from tests.governance.helpers import pdf_bytes

    p = {"partnership": world.partnership.slug}
    sweep.page(reverse("membership:agreement_upload", kwargs=p), "governance_lead")
    draft = ms.agreement_version_upload(
        actor=lead,
        partnership=world.partnership,
        label="2027",
        what_changed="Changes.",
        upload=("agreement.pdf", pdf_bytes()),
    )
    sweep.page(
        reverse("membership:agreement_version", kwargs={**p, "pk": draft.pk}), "governance_lead"
    )
    sweep.page(reverse("membership:agreement_signatures", kwargs=p), "coordinator")


def _performance(world, sweep: Sweep) -> None:
    from performance import services
    from performance.models import ReportKind
    from tests.performance.conftest import build_performance
    from tests.performance.test_board_report_views import stored
    from tests.performance.test_dashboards import dashboard_urls
    from tests.performance.test_report_views import draft
    from tests.performance.test_report_views import submitted as report_submitted
    from tests.performance.test_return_views import submit as return_submit
    from tests.performance.test_return_views import url as return_url
    from tests.performance.test_risk_urls import make_risk
    from tests.performance.test_setup_views import setup_urls

    perf = build_performance(world)
    sweep.matrix(setup_urls(world, perf))
    sweep.matrix(dashboard_urls(world, perf))
    p = {"partnership": world.partnership.slug}

    def at(name, **kwargs):
        return reverse(f"performance:{name}", kwargs={**p, **kwargs})

    # A return not started, one submitted (to send back) and one signed off (to re-open).
    sweep.page(return_url("return", perf.satisfaction, perf.period), "member")
    sweep.page(return_url("return_delegate", perf.satisfaction, perf.period), "member")
    sweep.page(return_url("return_reopen", perf.burglary, perf.history[-1]), "coordinator")
    return_submit(perf, world, indicator=perf.other, by=world.other_member)
    sweep.page(return_url("return_send_back", perf.other, perf.period), "coordinator")
    report = draft(perf, world)
    sweep.page(at("report_edit", pk=report.pk), "chair")
    sweep.page(at("report_submit", pk=report.pk), "coordinator")
    report_submitted(report, world)
    sweep.page(at("report_review", pk=report.pk), "chair")
    six_monthly = stored(world, ReportKind.SIX_MONTHLY, year=2025, quarter=4)
    sweep.page(at("report_add_to_meeting", pk=six_monthly.pk), "coordinator")
    sweep.page(at("exception_report_create", body=world.group.slug), "coordinator")
    for kind in ("six-monthly", "annual", "newsletter"):
        sweep.page(at("board_report_create", kind=kind), "coordinator")

    risk = make_risk(world, world.group, "G-OPEN", owner=world.member, organisation=world.council)
    control = services.control_add(
        actor=None, risk=risk, description="A control", owner=world.member, due_on=world.start
    )
    group = {"body": world.group.slug}
    for name, kwargs in [
        ("risk_settings", {}),
        ("risk_create", group),
        ("risk_appetite", group),
        ("risk_edit", {"pk": risk.pk}),
        ("risk_close", {"pk": risk.pk}),
        ("risk_review", {"pk": risk.pk}),
        ("risk_control_create", {"pk": risk.pk}),
        ("risk_control_edit", {"pk": control.pk}),
        ("risk_import", {}),
        ("indicator_import", {}),
    ]:
        sweep.page(at(name, **kwargs), "coordinator")
    sweep.page(at("risk", pk=risk.pk), "coordinator")
    # Above the Other Group's appetite, so escalated to the Board, whose chair may accept it.
    services.risk_appetite_set(actor=None, body=world.other, threshold=6)
    escalated = make_risk(
        world,
        world.other,
        "O-ESC",
        owner=world.other_member,
        organisation=world.charity,
        residual=(4, 4),
    )
    sweep.page(at("risk_accept", pk=escalated.pk), "chair")


def test_an_empty_submit_of_every_form_shows_the_error_pattern(world):
    from tests.conftest import appoint_governance_lead
    from tests.governance.helpers import build_meetings
    from tests.governance.test_url_access import meeting_urls

    lead = appoint_governance_lead(world)
    people = {r: getattr(world, r) for r in ROLES if r != "anonymous"} | {"governance_lead": lead}
    sweep = Sweep(people)
    p = world.partnership.slug
    sweep.matrix(urls(world))
    for kind in ("accessibility", "privacy", "cookies", "contact"):
        sweep.page(
            reverse("partnership:page_edit", kwargs={"partnership": p, "kind": kind}),
            "governance_lead",
        )
    sweep.matrix(meeting_urls(world, build_meetings(world)))
    sweep.matrix(_registers(world, lead))
    _minutes(world, sweep)
    _elections(world, sweep)
    _agreement(world, lead, sweep)
    _performance(world, sweep)

    assert sweep.forms_seen > 40, "the sweep found too few forms to be looking properly"
    assert not sweep.problems, "\n".join(["", *sweep.problems])
    assert set(VALID_WHEN_EMPTY) <= sweep.valid_seen, "listed but never found: " + ", ".join(
        sorted(set(VALID_WHEN_EMPTY) - sweep.valid_seen)
    )


def test_a_refused_button_says_why_in_an_error_summary_not_a_banner(client, world):
    """A button posted from a page that no longer offers it (here: publishing an agenda with
    nothing on it) is refused with an error summary at the top of the page it returns to."""
    from governance import services as gs
    from tests.governance.helpers import schedule

    meeting = schedule(world, days=14)
    client.force_login(world.coordinator)
    address = reverse(
        "governance:meeting_publish",
        kwargs={"partnership": world.partnership.slug, "pk": meeting.pk},
    )
    response = client.post(address, follow=True)
    page = Page(response.content.decode())
    assert page.has_summary
    assert not page.error_banners
    assert "Add at least one item of business before publishing the agenda." in (
        response.content.decode()
    )

    # Once there is an item, the same button succeeds, and that is said in a success banner.
    gs.item_add(actor=world.coordinator, meeting=meeting, title="Budget")
    html = client.post(address, follow=True).content.decode()
    assert "govuk-notification-banner--success" in html
    assert not Page(html).has_summary


def test_no_page_says_error_twice_in_its_title():
    """base.html puts "Error: " before the title of a page whose form has errors; a template
    adding its own would make screen readers say it twice."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "templates"
    doubled = [
        str(path.relative_to(root))
        for path in root.rglob("*.html")
        if "{% block title %}{% if form.errors %}Error:" in path.read_text(encoding="utf-8")
    ]
    assert doubled == []
