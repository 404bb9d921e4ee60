"""A register's exports (CSV, XLSX) that import again, and its PDF through the report machinery.

In the ``perf`` world with the ``risks`` of test_risk_urls.py: G-OPEN and the confidential
G-CONF of the Safer Group (owned by ``member``), and O-ESC of the Other Group, escalated to the
Board.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from performance import selectors, services
from performance.models import Report, ReportKind, ReportStatus, Risk
from performance.permissions import can_see_report
from performance.services.reports.rendering import report_render
from performance.services.reports.risk_register import risk_register_build, risk_register_facts
from performance.services.risks import transfer
from tests.performance import test_risk_urls
from tests.performance.test_risk_urls import ESCALATED, INSIDE, NOBODY, SAFER, at, make_risk
from tests.test_url_access import ROLES, _check, _client_for, drain

RISK_TRANSFER_URLS = {
    "performance:risk_export",
    "performance:risk_import",
    "performance:risk_register_pdf",
}
HEADER = [c.header for c in transfer.RISK_COLUMNS]
# The risks of test_risk_urls.py, as a fixture of this module too.
risks = test_risk_urls.risks
# The Board's register: the Board's own people (``member`` and ``chair`` sit on it) and the
# partnership's co-ordinator; the Safer Group's co-ordinator does not co-ordinate the Board.
BOARD = {**NOBODY, "member": 200, "chair": 200, "coordinator": 200}


def export(client, w, file_format="csv", **query) -> bytes:
    address = at(w, "risk_export") + f"?format={file_format}"
    for key, value in query.items():
        address += f"&{key}={value}"
    response = client.get(address)
    assert response.status_code == 200, address
    return drain(response)


def rows_of_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def as_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def upload(client, w, data: bytes, name="register.csv"):
    return client.post(at(w, "risk_import"), {"upload": SimpleUploadedFile(name, data)})


def confirm(client, w, response):
    form = response.context["confirm"]
    assert form is not None, response.content.decode()
    return client.post(
        at(w, "risk_import"),
        {"upload_id": form.initial["upload_id"], "fingerprint": form.initial["fingerprint"]},
    )


def history_count() -> int:
    return Risk.history.count()


def good_row(**values: str) -> list[str]:
    """A new Safer Group risk, in RISK_COLUMNS order, with some cells replaced."""
    cells = {
        "code": "G-NEW",
        "title": "Funding for the night-time economy ends",
        "body": "Safer Group",
        "category": "Financial",
        "description": "",
        "cause": "",
        "effect": "",
        "owner": "member@example.org",
        "owner_organisation": "Testshire Council",
        "outcomes": "SC1",
        "indicators": "SC01; SC02",
        "actions": "",
        "inherent_likelihood": "4",
        "inherent_impact": "4",
        "residual_likelihood": "3",
        "residual_impact": "3",
        "target_likelihood": "2",
        "target_impact": "2",
        "confidential": "no",
        "status": "open",
        "closed_on": "",
        "closure_reason": "",
    }
    cells.update(values)
    return [cells.get(c.key, "") for c in transfer.RISK_COLUMNS]


# --- every role on every URL -------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_risk_transfer_urls_as(role, client, world, risks):
    w = world
    client = _client_for(client, w, role)
    rows = [
        ("export csv", at(w, "risk_export") + "?format=csv", INSIDE),
        ("export xlsx", at(w, "risk_export") + "?format=xlsx", INSIDE),
        ("export a body", at(w, "risk_export") + f"?format=csv&body={w.group.slug}", INSIDE),
        ("import", at(w, "risk_import"), INSIDE),
        ("group's PDF", at(w, "risk_register_pdf", body=w.group.slug), SAFER),
        ("board's PDF", at(w, "risk_register_pdf", body=w.board.slug), BOARD),
    ]
    for label, address, expected in rows:
        _check(client.get(address), expected[role], f"{label}: {address}")


@pytest.mark.parametrize("role", ROLES)
def test_post_the_register_pdf_as(role, client, world, risks):
    client = _client_for(client, world, role)
    response = client.post(at(world, "risk_register_pdf", body=world.group.slug))
    expected = {**SAFER, **{r: 302 for r in ROLES if SAFER[r] == 200}}[role]
    _check(response, expected, role)
    built = Report.objects.filter(kind=ReportKind.RISK_REGISTER)
    if expected == 302:
        report = built.get()
        assert response["Location"] == (
            reverse(
                "performance:report_pdf",
                kwargs={"partnership": world.partnership.slug, "pk": report.pk},
            )
            + "?progress=1"
        )
        assert report.render_state == "queued"
    else:
        assert not built.exists()


def test_unknown_format_or_body_is_not_found(client, world, risks):
    client.force_login(world.coordinator)
    assert client.get(at(world, "risk_export") + "?format=pdf").status_code == 404
    assert client.get(at(world, "risk_export") + "?body=nowhere").status_code == 404
    assert client.get(at(world, "risk_register_pdf", body="nowhere")).status_code == 404


def test_the_public_reaches_none_of_it(client, world, risks):
    for address in (
        at(world, "risk_export") + "?format=csv",
        at(world, "risk_import"),
        at(world, "risk_register_pdf", body=world.group.slug),
    ):
        _check(client.get(address), "login", address)
        _check(client.post(address, {}), "login", address)


# --- the export ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_export_holds_only_the_risks_each_role_may_see(role, client, world, risks):
    if INSIDE[role] != 200:
        return
    client = _client_for(client, world, role)
    codes = {row[0] for row in rows_of_csv(export(client, world))[1:]}
    expected = {code for code in ("G-OPEN", "G-CONF") if SAFER[role] == 200}
    expected |= {"O-ESC"} if ESCALATED[role] == 200 else set()
    assert codes == expected
    book = load_workbook(io.BytesIO(export(client, world, "xlsx")), read_only=True)
    assert book.sheetnames == ["Risks", "Controls"]
    in_book = {r[0] for r in book["Risks"].iter_rows(min_row=2, values_only=True)}
    controls = {r[0] for r in book["Controls"].iter_rows(min_row=2, values_only=True)}
    assert in_book == controls == expected


def test_the_export_says_every_field_of_a_risk(client, world, perf, risks):
    risk = risks["G-OPEN"]
    services.risk_update(
        actor=None,
        risk=risk,
        outcomes=[perf.outcome],
        indicators=[perf.burglary],
        actions=[perf.action],
    )
    client.force_login(world.group_coordinator)
    rows = rows_of_csv(export(client, world, body=world.group.slug))
    assert rows[0] == HEADER
    row = dict(zip(HEADER, next(r for r in rows if r[0] == "G-OPEN"), strict=True))
    assert row["Owning body"] == "Safer Group"
    assert row["Risk owner"] == "member@example.org"
    assert row["Risk owner’s organisation"] == "Testshire Council"
    assert (row["Outcomes"], row["Indicators"]) == ("SC1", "SC01")
    assert row["Delivery-plan actions"] == f"A{perf.action.pk}"
    assert (row["Inherent likelihood"], row["Residual impact"], row["Residual score"]) == (
        "5",
        "3",
        "6",
    )
    assert (row["Residual rating"], row["Status"], row["Confidential"]) == ("Medium", "open", "no")


def test_the_export_of_a_body_is_its_register(client, world, risks):
    client.force_login(world.coordinator)
    board = {row[0] for row in rows_of_csv(export(client, world, body=world.board.slug))[1:]}
    assert board == {"O-ESC"}


def test_the_export_takes_the_same_queries_for_few_and_many_risks(
    client,
    world,
    risks,
    django_assert_max_num_queries,
):
    client.force_login(world.group_coordinator)
    with django_assert_max_num_queries(30) as few:
        export(client, world, "xlsx")
    for n in range(20):
        make_risk(world, world.group, f"G-{n}", owner=world.member, organisation=world.council)
    with django_assert_max_num_queries(30) as many:
        export(client, world, "xlsx")
    assert len(many.captured_queries) == len(few.captured_queries)


# --- the round trip ---------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_exporting_and_importing_the_same_file_changes_nothing(
    file_format,
    client,
    world,
    perf,
    risks,
):
    services.risk_update(actor=None, risk=risks["G-OPEN"], outcomes=[perf.outcome])
    services.risk_close(actor=None, risk=risks["G-CONF"], reason="Dealt with.")
    client.force_login(world.coordinator)
    data = export(client, world, file_format)
    before = history_count()
    response = upload(client, world, data, name=f"register.{file_format}")
    preview = response.context["preview"]
    assert preview.is_valid, [str(e) for e in preview.errors]
    assert preview.summary == "3 risks: 0 new, 0 changed, 3 unchanged"
    assert not preview.ignored_columns
    response = confirm(client, world, response)
    assert response.status_code == 302
    assert history_count() == before


def test_an_import_updates_through_the_register_and_creates_what_is_new(client, world, risks):
    client.force_login(world.group_coordinator)
    rows = rows_of_csv(export(client, world, body=world.group.slug))
    title = HEADER.index("Title")
    for row in rows[1:]:
        if row[0] == "G-OPEN":
            row[title] = "Street lighting fails"
    rows.append(good_row())
    response = upload(client, world, as_csv(rows))
    html = response.content.decode()
    assert response.context["preview"].summary == "3 risks: 1 new, 1 changed, 1 unchanged"
    assert "Title: Risk G-OPEN → Street lighting fails" in html
    assert "G-NEW" in html and "New" in html
    assert not Risk.objects.filter(code="G-NEW").exists()
    response = confirm(client, world, response)
    assert response.status_code == 302
    changed = Risk.objects.get(code="G-OPEN")
    assert changed.title == "Street lighting fails"
    assert changed.history.first().history_change_reason == "Imported from register.csv"
    new = Risk.objects.get(code="G-NEW")
    assert (new.body, new.owner, new.residual_score) == (world.group, world.member, 9)
    assert {i.code for i in new.indicators.all()} == {"SC01", "SC02"}


def test_an_import_can_raise_a_risk_above_appetite_and_so_escalate_it(client, world, risks):
    services.risk_appetite_set(actor=None, body=world.group, threshold=8)
    client.force_login(world.group_coordinator)
    rows = [HEADER, good_row(residual_likelihood="4", residual_impact="4")]
    response = confirm(client, world, upload(client, world, as_csv(rows)))
    assert response.status_code == 302
    assert Risk.objects.get(code="G-NEW").escalated_to == world.board


def test_an_import_closes_a_risk_with_its_reason(client, world, risks):
    client.force_login(world.group_coordinator)
    rows = [HEADER, good_row(code="G-OPEN", status="closed", closure_reason="")]
    response = upload(client, world, as_csv(rows))
    assert "Say why the risk is closed" in response.content.decode()
    rows = [HEADER, good_row(code="G-OPEN", status="closed", closure_reason="Contract signed.")]
    confirm(client, world, upload(client, world, as_csv(rows)))
    risk = Risk.objects.get(code="G-OPEN")
    assert (risk.is_open, risk.closure_reason) == (False, "Contract signed.")


# --- errors by the row -------------------------------------------------------------------------


def test_each_rows_errors_are_shown_beside_it_and_nothing_is_saved(client, world, risks):
    client.force_login(world.group_coordinator)
    rows = [
        HEADER,
        good_row(code="G-A", residual_likelihood="7"),
        good_row(code="G-B", body="Nowhere Group", target_impact="5"),
        good_row(code="G-C", owner="nobody@example.org", outcomes="SC1; XX9"),
    ]
    before = (Risk.objects.count(), history_count())
    response = upload(client, world, as_csv(rows))
    html = response.content.decode()
    assert response.context["confirm"] is None
    assert "There is a problem: nothing has been imported" in html
    by_row = {}
    for number, row_html in [
        (n, html.split(f'id="row-{n}"')[1].split("</tr>")[0]) for n in (2, 3, 4)
    ]:
        by_row[number] = row_html
    assert "Residual likelihood: Enter a whole number from 1 to 5" in by_row[2]
    assert "There is no body called ‘Nowhere Group’" in by_row[3]
    assert "The target impact cannot be worse than the inherent impact" in by_row[3]
    assert "No one in this partnership has the e-mail address" in by_row[4]
    assert "There is no outcome with the code XX9" in by_row[4]
    assert '<a href="#row-3">' in html  # the summary links to the row
    assert (Risk.objects.count(), history_count()) == before


def test_a_file_without_the_required_columns_says_which(client, world, risks):
    client.force_login(world.group_coordinator)
    response = upload(client, world, as_csv([["Code", "Title"], ["G-X", "A risk"]]))
    assert "The file has no Owning body, Category" in response.content.decode()


def test_a_file_that_is_not_a_spreadsheet_is_refused_by_the_field(client, world, risks):
    client.force_login(world.group_coordinator)
    response = upload(client, world, b"%PDF-1.7 not a spreadsheet", name="register.pdf")
    assert response.status_code == 200
    assert response.context["form"].errors["upload"]


# --- rights --------------------------------------------------------------------------------------


def test_rows_for_a_body_whose_register_one_does_not_keep_are_errors(client, world, risks):
    client.force_login(world.other_member)
    rows = [
        HEADER,
        good_row(code="O-NEW", body="Safer Group"),
        good_row(code="G-CONF", body="Other Group", owner="other_member@example.org"),
    ]
    response = upload(client, world, as_csv(rows))
    html = response.content.decode()
    assert "You do not keep the Safer Group’s register" in html
    assert "The reference G-CONF is already in use" in html
    # Nothing of the confidential risk beyond the code the file itself gave.
    assert "Risk G-CONF" not in html
    assert response.context["confirm"] is None


def test_a_risk_one_reads_but_does_not_keep_may_be_in_the_file_unchanged(client, world, risks):
    """The Board's member reads O-ESC (escalated to the Board) and exports it: importing the
    same file changes nothing; changing its row is an error."""
    client.force_login(world.member)
    rows = rows_of_csv(export(client, world))
    assert "O-ESC" in {r[0] for r in rows}
    response = upload(client, world, as_csv(rows))
    assert response.context["preview"].is_valid
    assert response.context["preview"].count("unchanged") == 3
    title = HEADER.index("Title")
    for row in rows[1:]:
        if row[0] == "O-ESC":
            row[title] = "Renamed by the Board"
    html = upload(client, world, as_csv(rows)).content.decode()
    assert "O-ESC is on the Other Group’s register, which you do not keep" in html
    assert Risk.objects.get(code="O-ESC").title == "Risk O-ESC"


def test_the_risk_owner_must_represent_the_organisation_for_a_row_that_changes(
    client,
    world,
    risks,
):
    client.force_login(world.group_coordinator)
    rows = [HEADER, good_row(owner_organisation="Testshire CVS")]
    html = upload(client, world, as_csv(rows)).content.decode()
    assert "member@example.org does not currently represent Testshire CVS" in html


def test_a_confirmation_imports_only_what_was_previewed(client, world, risks):
    client.force_login(world.group_coordinator)
    response = upload(client, world, as_csv([HEADER, good_row()]))
    make_risk(world, world.group, "G-NEW", owner=world.member, organisation=world.council)
    response = confirm(client, world, response)
    assert "Something has changed since you checked this file" in response.content.decode()


# --- the register as a report -------------------------------------------------------------------


def test_the_builder_freezes_the_register_as_it_stands(world, perf, risks):
    services.risk_appetite_set(actor=None, body=world.group, threshold=8)
    closed = make_risk(world, world.group, "G-OLD", owner=world.member, organisation=world.council)
    services.risk_close(actor=None, risk=closed, reason="Gone.")
    facts = risk_register_facts(body=world.group)
    assert [r["code"] for r in facts["risks"]] == ["G-CONF", "G-OPEN"]
    g_open = facts["risks"][1]
    assert g_open["residual"] == {
        "likelihood": 2,
        "impact": 3,
        "score": 6,
        "band": "medium",
        "band_label": "Medium",
    }
    assert (g_open["appetite"], g_open["above_appetite"]) == (8, False)
    assert g_open["controls"][0]["description"] == "Control of G-OPEN"
    assert g_open["owner"] == world.member.full_name and g_open["last_review"] is None
    assert [r["code"] for r in facts["closed"]] == ["G-OLD"]
    assert facts["appetite"]["general"] == 8
    assert {c["label"]: c["count"] for c in facts["counts"]}["Medium"] == 2
    cell = facts["heat_map"][5 - 2]["cells"][3 - 1]
    assert (cell["count"], cell["band_label"], cell["codes"]) == (2, "Medium", ["G-CONF", "G-OPEN"])
    board = risk_register_facts(body=world.board)
    assert [(r["code"], r["escalated_here"]) for r in board["risks"]] == [("O-ESC", True)]
    assert board["risks"][0]["above_appetite"] is True


def test_a_new_version_only_when_the_register_changed(world, risks):
    first = risk_register_build(body=world.group, actor=world.group_coordinator)
    assert risk_register_build(body=world.group).pk == first.pk
    services.risk_update(actor=None, risk=risks["G-OPEN"], title="Changed")
    second = risk_register_build(body=world.group)
    assert second.version == 2
    first.refresh_from_db()
    assert first.status == ReportStatus.SUPERSEDED
    assert second.status == ReportStatus.DRAFT and second.approved_at is None
    # Rebuilding from the report's page builds the register again, not another kind.
    assert services.report_rebuild(actor=world.group_coordinator, report=second).pk == second.pk


@pytest.mark.parametrize("role", ROLES)
def test_the_register_report_is_read_by_those_who_see_the_register(role, client, world, risks):
    report = risk_register_build(body=world.group)
    user = getattr(world, role) if role != "anonymous" else None
    if user is not None:
        assert can_see_report(user, report) == (SAFER[role] == 200)
        # Kept off the reports list: it is reached from the register.
        assert report not in selectors.reports_for(user, world.partnership)
    client = _client_for(client, world, role)
    page = client.get(report.get_absolute_url())
    # Report pages are on the public site too: to the public this one does not exist.
    _check(page, {**SAFER, "anonymous": 404}[role], role)
    if SAFER[role] == 200:
        html = page.content.decode()
        assert "Risk G-CONF" in html and "Edit the report" not in html


def test_the_boards_register_pdf_holds_nothing_of_the_groups_own_risks(world, risks):
    facts = risk_register_facts(body=world.board)
    assert "G-CONF" not in str(facts) and "G-OPEN" not in str(facts)


def _text(pdf: bytes) -> str:
    pages = PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join((page.extract_text() or "") for page in pages).split())


def _structure(node, found):
    node = node.get_object() if hasattr(node, "get_object") else node
    if isinstance(node, list):
        for child in node:
            _structure(child, found)
        return
    if not hasattr(node, "get"):
        return
    if node.get("/S") is not None:
        found.append(str(node["/S"]))
    if node.get("/K") is not None:
        _structure(node["/K"], found)


def test_the_register_renders_as_a_tagged_pdf(world, perf, risks):
    from partnership.storage import private_storage

    report = risk_register_build(body=world.group)
    assert report_render(report_id=report.pk) is True
    report.refresh_from_db()
    with private_storage.open(report.pdf.name, "rb") as handle:
        pdf = handle.read()
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    assert reader.metadata.title == report.title
    tags: list[str] = []
    _structure(reader.trailer["/Root"]["/StructTreeRoot"], tags)
    assert tags.count("/H1") == 1
    assert {"/H2", "/H3", "/Table", "/TH", "/Caption"} <= set(tags)
    text = _text(pdf)
    assert "G-OPEN: Risk G-OPEN" in text and "G-CONF: Risk G-CONF" in text
    assert "Heat map of residual scores" in text
    assert "Likelihood 2: Unlikely" in text
    assert "A register is not approved" in text


def test_the_page_partial_renders_the_register_under_the_pages_h1(world, risks):
    report = risk_register_build(body=world.group)
    html = render_to_string(
        "performance/reports/_content.html",
        {"report": report, "facts": report.facts, "narrative": {}, "charts": {}, "pdf": False},
    )
    assert "<h1" not in html and 'scope="col"' in html and 'scope="row"' in html
    assert "About this report" in html


def test_the_register_page_links_to_its_exports_import_and_pdf(client, world, risks):
    client.force_login(world.member)
    html = client.get(at(world, "body_risks", body=world.group.slug)).content.decode()
    assert at(world, "risk_export") + f"?format=csv&amp;body={world.group.slug}" in html
    assert at(world, "risk_import") in html
    assert "Download the register as PDF" in html
    listing = client.get(at(world, "risk_list")).content.decode()
    assert (
        at(world, "risk_export") + "?format=xlsx" in listing and at(world, "risk_import") in listing
    )


def test_the_export_and_the_register_agree(world, risks):
    """The export and the report read the same register: a body's own risks and those
    escalated to it."""
    on_register = set(
        Risk.objects.filter(Q(body=world.board) | Q(escalated_to=world.board)).values_list(
            "code", flat=True
        )
    )
    assert on_register == {r["code"] for r in risk_register_facts(body=world.board)["risks"]}


# --- queries ------------------------------------------------------------------------------------


def _queries(run) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        run()
    return len(captured.captured_queries)


def test_reading_a_file_takes_the_same_queries_for_few_and_many_rows(world, perf, risks):
    def parse(count: int):
        rows = [HEADER] + [good_row(code=f"G-N{n}") for n in range(count)]
        data = as_csv(rows)
        return lambda: transfer.risks_parse(
            partnership=world.partnership, actor=world.group_coordinator, name="r.csv", data=data
        )

    parse(1)()  # the person's rights, loaded once a request
    assert _queries(parse(2)) == _queries(parse(60))


def test_building_the_facts_takes_the_same_queries_for_few_and_many_risks(world, perf, risks):
    few = _queries(lambda: risk_register_facts(body=world.group))
    for n in range(30):
        risk = make_risk(
            world, world.group, f"G-{n}", owner=world.member, organisation=world.council
        )
        services.control_add(
            actor=None, risk=risk, description="A control", owner=world.member, due_on=world.start
        )
    assert _queries(lambda: risk_register_facts(body=world.group)) == few
