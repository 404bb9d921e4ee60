"""Importing indicators and targets from a CSV or Excel file (with a preview, all or nothing) and
exporting them in the same shape, so that a round trip changes nothing."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from partnership.files import CSV, FileType, RejectedFile, check_upload
from partnership.storage import private_storage
from performance import services
from performance.models import Indicator, Target
from performance.services import transfer
from performance.services.transfer import saving
from tests.conftest import fresh
from tests.test_url_access import PARTNERSHIP_COORDINATOR, ROLES, _check, _client_for

TRANSFER_URLS = {"performance:indicator_import", "performance:indicator_export"}
COORDINATORS = {**PARTNERSHIP_COORDINATOR, "group_coordinator": 200}

HEADER = [c.header for c in transfer.COLUMNS]


def counts():
    return {
        "indicators": Indicator.objects.count(),
        "targets": Target.objects.count(),
        "indicator history": Indicator.history.count(),
        "target history": Target.history.count(),
    }


def targets_of(indicator):
    return {(t.year, t.quarter): t.value for t in indicator.targets.all()}


def as_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def as_xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def row(**values: str) -> list[str]:
    """A data row in COLUMNS order, from a good new indicator with some cells replaced."""
    good = {
        "code": "SC10",
        "title": "Anti-social behaviour incidents",
        "definition": "",
        "body": "Safer Group",
        "outcome": "SC1",
        "unit": "number",
        "polarity": "lower",
        "baseline_value": "",
        "baseline_period": "",
        "data_source": "",
        "lead": "member@example.org",
        "frequency": "quarterly",
        "target_kind": "point",
        "decimal_places": "0",
        "tolerance_kind": "percent",
        "tolerance": "5",
        "travel_margin": "0",
        "published": "no",
    }
    good |= values
    return [good[c.key] for c in transfer.COLUMNS]


def parse(world, data: bytes, *, actor=None, name="indicators.csv"):
    return services.indicators_parse(
        partnership=world.partnership,
        actor=fresh(actor or world.coordinator),
        name=name,
        data=data,
    )


def export(world, file_format="csv", *, indicators=None):
    indicators = indicators or Indicator.objects.filter(partnership=world.partnership)
    return services.indicators_export(indicators=indicators, file_format=file_format)


# --- round trip -------------------------------------------------------------------------------


@pytest.fixture
def varied(world, perf):
    """The perf indicators with the awkward things a round trip must keep: line breaks from a
    browser's form, text a spreadsheet would run as a formula, decimals, quarterly targets."""
    services.indicator_update(
        actor=None,
        indicator=perf.satisfaction,
        definition="Residents who say they are satisfied.\r\nFrom the annual survey.",
        baseline_value=Decimal("71.5"),
        baseline_period="2023/24",
        data_source='=HYPERLINK("http://example.org")',
        target_kind="cumulative",
        tolerance=Decimal("2.5"),
        travel_margin=Decimal("0.5"),
    )
    year = perf.period.year
    for quarter, value in ((1, "77.5"), (2, "78"), (3, "79.5")):
        services.target_set(
            actor=None,
            indicator=perf.satisfaction,
            year=year,
            quarter=quarter,
            value=Decimal(value),
        )
    return perf


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_then_import_of_the_same_file_changes_nothing(world, varied, file_format):
    before = counts()
    kept = {i.code: targets_of(i) for i in Indicator.objects.all()}
    data = export(world, file_format)
    preview = parse(world, data, name=f"indicators.{file_format}")
    assert preview.errors == []
    assert preview.summary == "4 indicators: 0 new, 0 changed, 4 unchanged"
    assert (
        services.indicators_import(
            partnership=world.partnership, actor=world.coordinator, preview=preview
        )
        == 0
    )
    assert counts() == before
    assert {i.code: targets_of(i) for i in Indicator.objects.all()} == kept


def test_the_export_has_every_column_and_year_with_plain_numbers(world, varied):
    year = varied.period.year
    rows = list(csv.reader(io.StringIO(export(world).decode("utf-8-sig"))))
    years = [year - 1, year, year + 1]
    labels = [f"{y}/{(y + 1) % 100:02d}" for y in years]
    expected_targets = [
        f"Target {label}{suffix}" for label in labels for suffix in ("", " Q1", " Q2", " Q3", " Q4")
    ]
    assert rows[0] == HEADER + expected_targets
    assert HEADER == [
        "Code",
        "Title",
        "Definition",
        "Owning body",
        "Outcome",
        "Unit",
        "Polarity",
        "Baseline value",
        "Baseline period",
        "Data source",
        "Lead",
        "Frequency",
        "Targets are",
        "Decimal places",
        "Tolerance kind",
        "Tolerance",
        "Margin for no change",
        "Published",
    ]
    by_code = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert list(by_code) == ["OG01", "SC01", "SC02", "SC03"]
    sc02 = by_code["SC02"]
    assert sc02["Owning body"] == "Safer Group"
    assert sc02["Outcome"] == "SC1"
    assert sc02["Lead"] == "member@example.org"
    assert sc02["Baseline value"] == "71.5"
    assert sc02["Tolerance"] == "2.5"
    assert sc02["Margin for no change"] == "0.5"
    assert sc02[f"Target {labels[1]}"] == "80.0"
    assert sc02[f"Target {labels[1]} Q2"] == "78.0"
    assert sc02[f"Target {labels[1]} Q4"] == ""
    # A formula is written as text, so a spreadsheet shows it rather than running it.
    assert sc02["Data source"].startswith("'=HYPERLINK")
    assert by_code["SC01"][f"Target {labels[0]}"] == "100"
    assert by_code["SC03"][f"Target {labels[0]}"] == "1"
    assert by_code["SC01"]["Published"] == "yes"


def test_the_excel_export_writes_numbers_as_numbers_and_text_as_text(world, varied):
    sheet = load_workbook(io.BytesIO(export(world, "xlsx"))).active
    header = [c.value for c in sheet[1]]
    sc02_row = next(r for r in sheet.iter_rows() if r[0].value == "SC02")
    sc02 = dict(zip(header, sc02_row, strict=True))
    assert sc02["Baseline value"].value == 71.5
    assert sc02["Baseline value"].number_format == "0.0"
    assert sc02["Data source"].data_type == "s"
    assert sc02["Data source"].value.startswith("=HYPERLINK")
    assert sc02["Code"].value == "SC02"


def test_an_export_of_no_indicators_is_the_header_alone(world):
    rows = list(
        csv.reader(
            io.StringIO(export(world, indicators=Indicator.objects.none()).decode("utf-8-sig"))
        )
    )
    assert rows == [HEADER]


# --- a good file --------------------------------------------------------------------------------


def test_a_good_file_creates_and_updates_indicators_and_targets(world, perf):
    year = perf.period.year
    label = f"{year}/{(year + 1) % 100:02d}"
    last = f"{year - 1}/{year % 100:02d}"
    header = HEADER + [f"Target {label}", f"Target {label} Q1", f"Target {last}"]
    sc01_history = perf.burglary.history.count()
    sc02_history = perf.satisfaction.history.count()
    data = as_csv(
        [
            header,
            row(code="SC10", unit="Rate per 1,000", polarity="Lower is better", decimal_places="1")
            + ["12.5", "3.1", ""],
            row(
                code="sc01",
                title="Reported dwelling burglaries",
                unit="number",
                polarity="lower",
                tolerance="10",
                published="yes",
                definition="Dwelling burglaries reported to the police in the quarter.",
                data_source="Police recorded crime",
            )
            + ["90", "", ""],  # the year's target changes; last year's is removed
            row(
                code="SC02",
                title="Residents satisfied with their area",
                unit="percentage",
                polarity="higher",
                decimal_places="1",
                tolerance_kind="absolute",
                tolerance="5",
                outcome="SC1",
            )
            + ["80", "", "80"],
        ]
    )
    preview = parse(world, data)
    assert preview.errors == []
    assert preview.summary == "3 indicators: 1 new, 1 changed, 1 unchanged"
    changed = next(r for r in preview.rows if r.code == "sc01")
    assert [str(c.column) for c in changed.changes] == [
        "Title",
        f"Target {label}",
        f"Target {last}",
    ]
    before = counts()
    assert (
        services.indicators_import(
            partnership=world.partnership, actor=world.coordinator, preview=preview
        )
        == 2
    )

    new = Indicator.objects.get(code="SC10")
    assert (new.unit, new.polarity, new.decimal_places) == ("rate_per_1000", "lower", 1)
    assert new.outcome == perf.outcome
    assert new.lead == world.member
    assert targets_of(new) == {(year, 0): Decimal("12.5"), (year, 1): Decimal("3.1")}
    assert new.history.get().history_user == world.coordinator

    perf.burglary.refresh_from_db()
    assert perf.burglary.title == "Reported dwelling burglaries"
    assert targets_of(perf.burglary) == {(year, 0): Decimal(90), (year + 1, 0): Decimal(100)}
    assert perf.burglary.history.count() == sc01_history + 1
    assert perf.burglary.history.first().history_change_reason == "Imported from indicators.csv"
    # An unchanged indicator gets no history row.
    assert perf.satisfaction.history.count() == sc02_history
    after = counts()
    assert after["indicators"] == before["indicators"] + 1
    # Two new targets, one removed: the history has a row for each, and one for the change.
    assert after["targets"] == before["targets"] + 1
    assert after["target history"] == before["target history"] + 4


def test_an_excel_file_as_a_person_makes_it_is_read(world, perf):
    year = perf.period.year
    label = f"{year}/{(year + 1) % 100:02d}"
    header = ["code", "TITLE", "owning_body", "unit", "polarity", "Lead e-mail", "Notes"]
    data = as_xlsx(
        [
            [*header, f"target {label}"],
            [
                "SC11",
                "Repeat victims",
                "Safer Group",
                "Percentage",
                "lower",
                "MEMBER@example.org",
                "draft",
                12.0,
            ],
        ]
    )
    preview = parse(world, data, name="mine.xlsx")
    assert preview.errors == []
    assert preview.ignored_columns == ["Notes"]
    services.indicators_import(
        partnership=world.partnership, actor=world.coordinator, preview=preview
    )
    new = Indicator.objects.get(code="SC11")
    assert (new.unit, new.lead, new.decimal_places) == ("percentage", world.member, 0)
    assert targets_of(new) == {(year, 0): Decimal(12)}


# --- bad files ------------------------------------------------------------------------------


def test_every_bad_row_is_named_with_its_row_and_column_and_nothing_is_saved(world, perf):
    year = perf.period.year
    label = f"{year}/{(year + 1) % 100:02d}"
    data = as_csv(
        [
            HEADER + [f"Target {label}"],
            row(code="SC20", body="Nowhere Board") + ["1"],  # row 2
            row(code="SC21", body="Other Group") + ["1"],  # row 3: not theirs
            row(code="SC22", outcome="XX9") + ["1"],  # row 4
            row(code="SC23", lead="nobody@example.org") + ["1"],  # row 5
            row(code="SC24", unit="percentage") + ["120"],  # row 6
            row(code="SC25", unit="percent") + ["1"],  # row 7
            row(code="SC26", baseline_value="lots") + ["1"],  # row 8
            row(code="SC24") + ["1"],  # row 9: a second SC24
            row(code="OG01", body="Safer Group") + ["1"],  # row 10: the Other Group's
            row(code="SC27", decimal_places="7", published="maybe") + ["1"],  # row 11
        ]
    )
    before = counts()
    preview = parse(world, data, actor=world.group_coordinator)
    messages = [str(e) for e in preview.errors]
    assert messages == [
        "Row 2, owning body: There is no body called ‘Nowhere Board’ in this partnership",
        "Row 3, owning body: You do not co-ordinate Other Group, so you cannot import its "
        "indicators",
        "Row 4, outcome: There is no outcome with the code ‘XX9’",
        "Row 5, lead: No one in this partnership has the e-mail address ‘nobody@example.org’",
        f"Row 6, target {label}: A percentage must be between 0 and 100",
        "Row 7, unit: ‘percent’ is not a unit; use number, percentage, rate_per_1000, currency "
        "or yes_no",
        "Row 8, baseline value: Enter the value as a number, like 42 or 12.5",
        "Row 9, code: SC24 is also on row 6: list each indicator once",
        "Row 10, code: OG01 belongs to Other Group, which you do not co-ordinate",
        "Row 11, decimal places: Enter the decimal places as a whole number from 0 to 4",
        "Row 11, published: ‘maybe’ is not yes or no",
    ]
    assert [(e.row, e.column) for e in preview.errors][:2] == [
        (2, "Owning body"),
        (3, "Owning body"),
    ]
    with pytest.raises(ValidationError):
        services.indicators_import(
            partnership=world.partnership, actor=world.group_coordinator, preview=preview
        )
    assert counts() == before


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "The file is empty"),
        (b"\r\n\r\n", "The file is empty"),
        (as_csv([HEADER]), "The file has no indicators in it"),
        (
            as_csv([["Code", "Title", "Unit"], ["X1", "X", "number"]]),
            "The file has no Owning body, Polarity or Lead column",
        ),
        (as_csv([[*HEADER, "Target 2025/27"], row()]), "‘Target 2025/27’ is not a target column"),
        (as_csv([[*HEADER, "Code"], row()]), "The column ‘Code’ is in the file twice"),
        (as_csv([HEADER] + [row(code=f"X{n}") for n in range(2001)]), "more than 2,000"),
    ],
)
def test_a_file_that_cannot_be_read_as_a_whole_says_why(world, perf, data, says):
    preview = parse(world, data)
    assert not preview.rows
    assert [e.row for e in preview.errors] == [None]
    assert says in str(preview.errors[0])


def test_a_co_ordinator_of_one_group_cannot_import_into_another_groups_indicators(world, perf):
    data = (
        export(world, indicators=[perf.other])
        .decode("utf-8-sig")
        .replace("Volunteers recruited", "Volunteers signed up")
    )
    preview = parse(world, data.encode(), actor=world.group_coordinator)
    assert [str(e) for e in preview.errors] == [
        "Row 2, code: OG01 belongs to Other Group, which you do not co-ordinate",
        "Row 2, owning body: You do not co-ordinate Other Group, so you cannot import its "
        "indicators",
    ]
    # The partnership's co-ordinator may.
    preview = parse(world, data.encode(), actor=world.coordinator)
    assert preview.errors == []
    assert preview.count("update") == 1


def test_a_service_refusing_a_row_half_way_rolls_everything_back(world, perf, monkeypatch):
    data = as_csv([HEADER + ["Target 2030/31"], row(code="SC30") + ["1"], row(code="SC31") + ["2"]])
    preview = parse(world, data)
    assert preview.errors == []
    real = saving.target_set

    def refuse_the_second(**kwargs):
        if kwargs["indicator"].code == "SC31":
            raise ValidationError({"value": "Something changed"})
        return real(**kwargs)

    monkeypatch.setattr(saving, "target_set", refuse_the_second)
    before = counts()
    with pytest.raises(ValidationError) as caught:
        services.indicators_import(
            partnership=world.partnership, actor=world.coordinator, preview=preview
        )
    assert caught.value.messages == ["Row 3 (SC31): Something changed. Nothing was imported."]
    assert counts() == before


# --- the upload check ----------------------------------------------------------------------------


def test_the_upload_check_takes_a_csv_only_when_asked():
    data = as_csv([HEADER, row()])
    with pytest.raises(RejectedFile):
        check_upload(name="indicators.csv", data=data)
    checked = check_upload(name="indicators.csv", data=data, accept={CSV, FileType.XLSX})
    assert checked.file_type == CSV
    with pytest.raises(RejectedFile, match="a CSV or Excel"):
        check_upload(
            name="paper.pdf",
            data=b"%PDF-1.4 ...",
            accept={CSV, FileType.XLSX},
            described="a CSV or Excel file",
        )
    with pytest.raises(RejectedFile, match="Rename it"):
        check_upload(name="indicators.csv", data=as_xlsx([HEADER]), accept={CSV, FileType.XLSX})
    with pytest.raises(RejectedFile):
        check_upload(name="indicators.csv", data=b"\x00\x01binary", accept={CSV})


# --- the pages ---------------------------------------------------------------------------------


def import_url(world):
    return reverse("performance:indicator_import", kwargs={"partnership": world.partnership.slug})


def export_url(world, file_format="csv"):
    url = reverse("performance:indicator_export", kwargs={"partnership": world.partnership.slug})
    return f"{url}?format={file_format}"


def upload(client, world, data, name="indicators.csv"):
    return client.post(import_url(world), {"upload": SimpleUploadedFile(name, data)})


def kept_uploads(world, user):
    folder = f"imports/{world.partnership.pk}/{user.pk}"
    return private_storage.listdir(folder)[0] if private_storage.exists(folder) else []


def test_a_preview_then_confirm_imports_the_file(client, world, perf):
    client.force_login(world.group_coordinator)
    form = client.get(import_url(world))
    assert b"Import indicators and targets" in form.content
    assert export_url(world, "xlsx").encode() in form.content.replace(b"&amp;", b"&")
    data = as_csv(
        [
            HEADER,
            row(code="SC40"),
            row(code="SC01", title="Burglaries", unit="number", polarity="lower"),
        ]
    )
    before = counts()
    response = upload(client, world, data)
    assert response.status_code == 200
    text = response.content.decode()
    assert "2 indicators: 1 new, 1 changed, 0 unchanged" in text
    assert "Import these indicators" in text
    assert "Title: Reported burglaries → Burglaries" in text
    assert counts() == before, "nothing is saved by a preview"
    (upload_id,) = kept_uploads(world, world.group_coordinator)
    fingerprint = response.context["confirm"]["fingerprint"].value()

    # Someone else's confirm with this id finds nothing: uploads are kept per person.
    client.force_login(world.coordinator)
    response = client.post(import_url(world), {"upload_id": upload_id, "fingerprint": fingerprint})
    assert "no longer here" in response.content.decode()
    assert Indicator.objects.filter(code="SC40").count() == 0

    client.force_login(world.group_coordinator)
    response = client.post(import_url(world), {"upload_id": upload_id, "fingerprint": fingerprint})
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "performance:dashboard", kwargs={"partnership": world.partnership.slug}
    )
    assert Indicator.objects.get(code="SC40").history.get().history_user == world.group_coordinator
    assert Indicator.objects.get(code="SC01").title == "Burglaries"
    assert kept_uploads(world, world.group_coordinator) == []

    # Confirming again (a second click, or the back button) finds the upload gone.
    response = client.post(import_url(world), {"upload_id": upload_id, "fingerprint": fingerprint})
    assert response.status_code == 200
    text = response.content.decode()
    assert "<title>Error: " in text
    assert "The file you uploaded is no longer here" in text
    assert 'class="govuk-error-message"' in text


def test_a_confirm_after_the_kept_upload_vanished_asks_for_the_file_again(client, world, perf):
    client.force_login(world.coordinator)
    response = upload(client, world, as_csv([HEADER, row(code="SC41")]))
    fingerprint = response.context["confirm"]["fingerprint"].value()
    (upload_id,) = kept_uploads(world, world.coordinator)
    services.upload_discard(
        partnership=world.partnership, actor=world.coordinator, upload_id=upload_id
    )
    before = counts()
    response = client.post(import_url(world), {"upload_id": upload_id, "fingerprint": fingerprint})
    assert response.status_code == 200
    assert "The file you uploaded is no longer here" in response.content.decode()
    assert counts() == before


def test_a_confirm_after_the_indicators_changed_shows_the_preview_again(client, world, perf):
    client.force_login(world.coordinator)
    data = as_csv([HEADER, row(code="SC01", title="Burglaries", unit="number", polarity="lower")])
    response = upload(client, world, data)
    fingerprint = response.context["confirm"]["fingerprint"].value()
    (upload_id,) = kept_uploads(world, world.coordinator)
    services.indicator_update(actor=None, indicator=perf.burglary, tolerance=Decimal(20))
    response = client.post(import_url(world), {"upload_id": upload_id, "fingerprint": fingerprint})
    assert response.status_code == 200
    assert "Something has changed since you checked this file" in response.content.decode()
    perf.burglary.refresh_from_db()
    assert perf.burglary.title == "Reported burglaries"


def test_a_file_with_errors_is_shown_with_every_error_and_no_import_button(client, world, perf):
    client.force_login(world.coordinator)
    data = as_csv([HEADER, row(code="SC50", unit="percent"), row(code="SC51", lead="x@y.org")])
    response = upload(client, world, data)
    text = response.content.decode()
    assert "<title>Error: " in text
    assert "govuk-error-summary" in text
    assert "Row 2, unit: ‘percent’ is not a unit" in text
    assert "Row 3, lead: No one in this partnership has the e-mail address ‘x@y.org’" in text
    assert "Import these indicators" not in text
    assert kept_uploads(world, world.coordinator) == []


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("paper.pdf", b"%PDF-1.4 a paper", "must be a CSV (.csv) or Excel (.xlsx) file"),
        ("indicators.csv", b"MZ\x90\x00\x00binary", "must be a CSV (.csv) or Excel (.xlsx) file"),
        ("indicators.xlsx", b"just text", "whatever its name says"),
        ("indicators.csv", b"", "The selected file is empty"),
    ],
)
def test_a_file_that_is_not_csv_or_excel_is_refused_by_the_field(
    client, world, perf, name, data, says
):
    client.force_login(world.coordinator)
    response = upload(client, world, data, name=name)
    assert response.status_code == 200
    text = response.content.decode()
    assert '<p id="id_upload-error" class="govuk-error-message">' in text
    assert says in text
    assert "<title>Error: " in text


def test_a_round_trip_through_the_pages_changes_nothing(client, world, varied):
    client.force_login(world.coordinator)
    before = counts()
    for file_format in ("csv", "xlsx"):
        response = client.get(export_url(world, file_format))
        assert response["Content-Disposition"].startswith(
            'attachment; filename="testshire-indicators-'
        )
        assert response["Content-Disposition"].endswith(f'.{file_format}"')
        response = upload(client, world, response.content, name=f"back.{file_format}")
        assert "4 indicators: 0 new, 0 changed, 4 unchanged" in response.content.decode()
        confirm = response.context["confirm"]
        response = client.post(
            import_url(world),
            {
                "upload_id": confirm["upload_id"].value(),
                "fingerprint": confirm["fingerprint"].value(),
            },
        )
        assert response.status_code == 302
    assert counts() == before


def test_the_export_holds_only_the_indicators_of_bodies_one_co_ordinates(client, world, perf):
    client.force_login(world.group_coordinator)
    response = client.get(export_url(world))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    codes = [r[0] for r in csv.reader(io.StringIO(response.content.decode("utf-8-sig")))][1:]
    assert codes == ["SC01", "SC02", "SC03"]
    response = client.get(export_url(world, "xlsx"))
    assert response["Content-Type"] == transfer.XLSX_CONTENT_TYPE
    assert client.get(export_url(world, "pdf")).status_code == 404


# --- who may -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_get_every_transfer_url_as(role, client, world, perf):
    client = _client_for(client, world, role)
    for url in (import_url(world), export_url(world), export_url(world, "xlsx")):
        _check(client.get(url), COORDINATORS[role], url)


@pytest.mark.parametrize("role", ["outsider", "member", "chair", "other_member"])
def test_a_refused_role_cannot_import_by_posting(role, client, world, perf):
    client = _client_for(client, world, role)
    before = counts()
    response = upload(client, world, as_csv([HEADER, row(code="SC60")]))
    assert response.status_code == 403
    assert counts() == before


# --- queries -------------------------------------------------------------------------------------


def _more_indicators(world, count):
    for n in range(count):
        indicator = services.indicator_create(
            actor=None,
            partnership=world.partnership,
            body=world.group,
            code=f"MX{n:03}",
            title=f"Measure {n}",
            unit="number",
            polarity="higher",
            lead=world.member,
        )
        services.target_set(
            actor=None, indicator=indicator, year=2030, quarter=n % 5, value=Decimal(n)
        )


def test_export_and_preview_use_the_same_queries_for_few_and_many(world, perf):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def measure():
        with CaptureQueriesContext(connection) as export_queries:
            data = export(world)
        with CaptureQueriesContext(connection) as parse_queries:
            assert parse(world, data).errors == []
        return len(export_queries), len(parse_queries)

    few = measure()
    _more_indicators(world, 30)
    assert measure() == few
    assert few[0] == 2
