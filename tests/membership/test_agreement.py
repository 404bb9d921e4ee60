"""The partnership agreement: versions, the board's agreement, issuing, signing, chasing, and
who sees who has signed."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from membership import selectors
from membership import services as ms
from membership.models import AgreementSignature, AgreementVersion, User
from partnership.models import Notice
from tests.factories import UserFactory
from tests.governance.helpers import pdf_bytes
from tests.test_url_access import drain


def docx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document>Agreement</w:document>")
    return out.getvalue()


def upload(world, lead, *, label="2026", data=None, name="agreement.pdf"):
    return ms.agreement_version_upload(
        actor=lead,
        partnership=world.partnership,
        label=label,
        what_changed="Adds the code of conduct.",
        upload=(name, pdf_bytes() if data is None else data),
    )


def agree_and_issue(world, lead, version):
    ms.agreement_record_approval(
        actor=lead, version=version, body=world.board, agreed_on=timezone.localdate()
    )
    return ms.agreement_issue(actor=lead, version=version)


@pytest.fixture
def issued(world, governance_lead):
    return agree_and_issue(world, governance_lead, upload(world, governance_lead))


def signatories(world, lead=None) -> set[str]:
    people = [world.coordinator, world.group_coordinator, world.chair, world.member]
    people.append(world.other_member)
    if lead is not None:
        people.append(lead)
    return {p.email for p in people}


def reminders() -> list:
    return [m for m in mail.outbox if m.subject.startswith("Reminder: sign")]


# --- versions ---------------------------------------------------------------------------------


def test_only_the_governance_lead_uploads_a_version(world, governance_lead):
    for someone in (world.coordinator, world.chair, world.outsider):
        with pytest.raises(PermissionDenied):
            upload(world, someone)
    version = upload(world, governance_lead)
    assert version.file_name == "agreement.pdf"
    assert version.file.name.startswith("agreements/")
    with version.file.open("rb") as stored:
        assert stored.read().startswith(b"%PDF-")
    assert not version.is_issued


def test_a_word_file_is_refused_next_to_the_file_field_and_nothing_is_stored(
    world, governance_lead, private_media
):
    with pytest.raises(ValidationError) as caught:
        upload(world, governance_lead, data=docx_bytes(), name="agreement.docx")
    assert "must be a PDF" in caught.value.message_dict["upload"][0]
    # Named .pdf makes no difference: the content decides.
    with pytest.raises(ValidationError) as caught:
        upload(world, governance_lead, data=docx_bytes(), name="agreement.pdf")
    assert "must be a PDF" in caught.value.message_dict["upload"][0]
    assert not AgreementVersion.objects.exists()
    assert not list(private_media.rglob("*.pdf"))


def test_a_version_too_big_is_refused(world, governance_lead, settings):
    settings.PAPER_MAX_BYTES = 100
    with pytest.raises(ValidationError) as caught:
        upload(world, governance_lead, data=b"%PDF-1.4" + b"x" * 200)
    assert "smaller than" in caught.value.message_dict["upload"][0]


def test_each_version_has_its_own_name(world, governance_lead):
    upload(world, governance_lead, label="2026")
    with pytest.raises(ValidationError) as caught:
        upload(world, governance_lead, label=" 2026 ")
    assert "already a version called 2026" in caught.value.message_dict["label"][0]


def test_the_board_agreement_must_be_a_body_of_the_partnership_on_a_past_date(
    world, governance_lead, today
):
    from tests.factories import BodyFactory

    version = upload(world, governance_lead)
    with pytest.raises(ValidationError) as caught:
        ms.agreement_record_approval(
            actor=governance_lead,
            version=version,
            body=world.board,
            agreed_on=today + timedelta(days=1),
        )
    assert "today or in the past" in caught.value.message_dict["agreed_on"][0]
    with pytest.raises(ValidationError) as caught:
        ms.agreement_record_approval(
            actor=governance_lead, version=version, body=BodyFactory(), agreed_on=today
        )
    assert "body of this partnership" in caught.value.message_dict["body"][0]
    with pytest.raises(PermissionDenied):
        ms.agreement_record_approval(
            actor=world.coordinator, version=version, body=world.board, agreed_on=today
        )
    version.refresh_from_db()
    assert version.agreed_on is None


def test_a_version_cannot_be_issued_before_the_board_has_agreed_it(world, governance_lead):
    version = upload(world, governance_lead)
    with pytest.raises(ValidationError, match="Record the board's agreement"):
        ms.agreement_issue(actor=governance_lead, version=version)
    version.refresh_from_db()
    assert version.issued_at is None
    assert mail.outbox == []


def test_the_database_refuses_an_issued_version_that_was_never_agreed(world, governance_lead):
    version = upload(world, governance_lead)
    with pytest.raises(IntegrityError), transaction.atomic():
        AgreementVersion.objects.filter(pk=version.pk).update(issued_at=timezone.now())


def test_only_the_governance_lead_issues(world, governance_lead, today):
    version = upload(world, governance_lead)
    ms.agreement_record_approval(
        actor=governance_lead, version=version, body=world.board, agreed_on=today
    )
    with pytest.raises(PermissionDenied):
        ms.agreement_issue(actor=world.coordinator, version=version)
    assert ms.agreement_issue(actor=governance_lead, version=version).is_issued


def test_issuing_tells_each_member_once_by_email_and_in_the_app(world, governance_lead, issued):
    expected = signatories(world, governance_lead)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(expected)
    assert all("version 2026" in m.subject for m in mail.outbox)
    assert "Adds the code of conduct." in mail.outbox[0].body
    told = Notice.objects.filter(key=f"agreement-issued:{issued.pk}")
    assert {n.recipient.email for n in told} == expected
    assert world.outsider.email not in expected
    # Telling again (the daily job's safety net) tells nobody twice.
    assert ms.agreement_tell_issued(version=issued) == 0
    assert len(mail.outbox) == len(expected)


def test_an_issued_version_is_fixed(world, governance_lead, issued, today):
    with pytest.raises(ValidationError, match="already been issued"):
        ms.agreement_issue(actor=governance_lead, version=issued)
    with pytest.raises(ValidationError, match="cannot change"):
        ms.agreement_record_approval(
            actor=governance_lead, version=issued, body=world.other, agreed_on=today
        )


# --- signing ----------------------------------------------------------------------------------


def test_members_and_officers_sign_the_current_version(world, governance_lead, issued):
    for person in (world.member, world.coordinator, governance_lead):
        signature = ms.agreement_sign(actor=person, version=issued)
        assert signature.version == issued
    assert AgreementSignature.objects.count() == 3


def test_signing_twice_keeps_one_signature(world, issued):
    first = ms.agreement_sign(actor=world.member, version=issued)
    second = ms.agreement_sign(actor=world.member, version=issued)
    assert first.pk == second.pk
    assert first.signed_at == second.signed_at
    assert AgreementSignature.objects.filter(person=world.member).count() == 1


def test_only_the_current_version_can_be_signed(world, governance_lead, issued):
    draft = upload(world, governance_lead, label="2027")
    with pytest.raises(ValidationError, match="not the current version"):
        ms.agreement_sign(actor=world.member, version=draft)
    newer = agree_and_issue(world, governance_lead, draft)
    assert selectors.agreement_current(partnership=world.partnership) == newer
    with pytest.raises(ValidationError, match="not the current version"):
        ms.agreement_sign(actor=world.member, version=issued)
    ms.agreement_sign(actor=world.member, version=newer)
    assert list(world.member.agreement_signatures.values_list("version__label", flat=True)) == [
        "2027"
    ]


def test_only_people_in_the_partnership_sign(world, issued, today):
    with pytest.raises(PermissionDenied):
        ms.agreement_sign(actor=world.outsider, version=issued)
    ms.membership_end(actor=None, membership=world.other_membership, ends_on=today)
    with pytest.raises(PermissionDenied):
        ms.agreement_sign(actor=world.other_member, version=issued)
    assert not AgreementSignature.objects.exists()


# --- chasing ----------------------------------------------------------------------------------


def test_the_chaser_reminds_each_unsigned_member_once_a_month(world, governance_lead, issued):
    ms.agreement_sign(actor=world.member, version=issued)
    ms.agreement_sign(actor=governance_lead, version=issued)
    mail.outbox.clear()
    later = timezone.now() + timedelta(days=15)
    for _ in range(3):
        ms.agreement_chase_unsigned(now=later)
    unsigned = signatories(world) - {world.member.email}
    assert sorted(m.to[0] for m in reminders()) == sorted(unsigned)
    # The next calendar month: one more each, however often it runs.
    next_month = (later.replace(day=1) + timedelta(days=32)).replace(day=2)
    for _ in range(2):
        ms.agreement_chase_unsigned(now=next_month)
    assert len(reminders()) == 2 * len(unsigned)
    assert Notice.objects.filter(key__startswith="agreement-unsigned:").count() == 2 * len(unsigned)


def test_nobody_is_chased_in_the_first_two_weeks(world, issued):
    mail.outbox.clear()
    assert ms.agreement_chase_unsigned(now=timezone.now() + timedelta(days=13)) == 0
    assert mail.outbox == []


def test_ended_memberships_are_not_chased(world, issued, today):
    ms.membership_end(actor=None, membership=world.other_membership, ends_on=today)
    mail.outbox.clear()
    ms.agreement_chase_unsigned(now=timezone.now() + timedelta(days=15))
    chased = {m.to[0] for m in reminders()}
    assert world.other_member.email not in chased
    assert world.member.email in chased


def test_someone_who_joins_after_the_issue_is_told_then_chased(world, issued, today):
    newcomer = UserFactory(email="newcomer@example.org")
    ms.membership_create(
        actor=None, body=world.other, seat=world.other_seat, person=newcomer, starts_on=today
    )
    mail.outbox.clear()
    ms.agreement_chase_unsigned()
    assert [m.to[0] for m in mail.outbox] == [newcomer.email]
    assert "Please sign" in mail.outbox[0].subject
    # Told today: first reminded two weeks on.
    ms.agreement_chase_unsigned(now=timezone.now() + timedelta(days=15))
    assert newcomer.email in {m.to[0] for m in reminders()}


def test_without_an_issued_version_nobody_is_chased(world, governance_lead):
    upload(world, governance_lead)
    assert ms.agreement_chase_unsigned(now=timezone.now() + timedelta(days=40)) == 0
    assert mail.outbox == []


# --- who has signed which version ----------------------------------------------------------


def test_the_table_shows_the_latest_version_each_member_signed(world, governance_lead, issued):
    ms.agreement_sign(actor=world.member, version=issued)
    ms.agreement_sign(actor=world.chair, version=issued)
    newer = agree_and_issue(world, governance_lead, upload(world, governance_lead, label="2027"))
    ms.agreement_sign(actor=world.chair, version=newer)
    rows = {
        r.person.email: r
        for r in selectors.agreement_signature_table(partnership=world.partnership, current=newer)
    }
    assert set(rows) == signatories(world, governance_lead)
    assert rows[world.chair.email].latest.version == newer
    assert rows[world.chair.email].signed_current
    assert rows[world.member.email].latest.version == issued
    assert not rows[world.member.email].signed_current
    assert rows[world.other_member.email].latest is None
    assert rows[world.chair.email].bodies == ["Board"]


# --- pages ------------------------------------------------------------------------------------


def agreement_url(world, name="membership:agreement", **kwargs):
    return reverse(name, kwargs={"partnership": world.partnership.slug, **kwargs})


def test_a_refused_file_is_reported_next_to_the_field_and_keeps_what_was_typed(
    client, world, governance_lead
):
    client.force_login(governance_lead)
    response = client.post(
        agreement_url(world, "membership:agreement_upload"),
        {
            "label": "2026 refresh",
            "what_changed": "Section 4 now covers hybrid meetings.",
            "upload": SimpleUploadedFile("agreement.docx", docx_bytes()),
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_upload-error"' in html
    assert "must be a PDF" in html
    assert 'value="2026 refresh"' in html
    assert "Section 4 now covers hybrid meetings.</textarea>" in html
    assert not AgreementVersion.objects.exists()


def test_the_lead_uploads_records_agreement_and_issues_through_the_pages(
    client, world, governance_lead, today
):
    client.force_login(governance_lead)
    response = client.post(
        agreement_url(world, "membership:agreement_upload"),
        {
            "label": "2026",
            "what_changed": "First version.",
            "upload": SimpleUploadedFile("agreement.pdf", pdf_bytes()),
        },
    )
    version = AgreementVersion.objects.get()
    detail = agreement_url(world, "membership:agreement_version", pk=version.pk)
    assert response.status_code == 302 and response["Location"] == detail
    response = client.post(
        detail,
        {
            "body": world.board.pk,
            "agreed_on_day": str(today.day),
            "agreed_on_month": str(today.month),
            "agreed_on_year": str(today.year),
        },
    )
    assert response.status_code == 302
    response = client.post(agreement_url(world, "membership:agreement_issue", pk=version.pk))
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.is_issued and version.agreed_by == world.board
    assert len(mail.outbox) == len(signatories(world, governance_lead))


def test_a_future_agreement_date_is_reported_next_to_the_field_and_kept(
    client, world, governance_lead, today
):
    version = upload(world, governance_lead)
    client.force_login(governance_lead)
    later = today + timedelta(days=10)
    response = client.post(
        agreement_url(world, "membership:agreement_version", pk=version.pk),
        {
            "body": world.board.pk,
            "agreed_on_day": str(later.day),
            "agreed_on_month": str(later.month),
            "agreed_on_year": str(later.year),
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_agreed_on-error"' in html
    assert "today or in the past" in html
    assert f'value="{later.year}"' in html
    assert f'<option value="{world.board.pk}" selected>' in html


def test_issuing_an_unagreed_version_says_why(client, world, governance_lead):
    version = upload(world, governance_lead)
    client.force_login(governance_lead)
    url = agreement_url(world, "membership:agreement_issue", pk=version.pk)
    response = client.post(url, follow=True)
    assert "Record the board&#x27;s agreement before issuing" in response.content.decode()
    version.refresh_from_db()
    assert not version.is_issued


def test_a_member_signs_from_their_account_page(client, world, issued):
    client.force_login(world.member)
    account = client.get(reverse("account:home")).content.decode()
    assert "You have not signed version 2026" in account
    assert agreement_url(world) in account
    page = client.get(agreement_url(world)).content.decode()
    assert "Sign version 2026" in page
    response = client.post(agreement_url(world, "membership:agreement_sign", pk=issued.pk))
    assert response.status_code == 302
    assert AgreementSignature.objects.filter(person=world.member, version=issued).exists()
    assert "You have signed version 2026" in client.get(reverse("account:home")).content.decode()
    assert "Sign version 2026" not in client.get(agreement_url(world)).content.decode()


def test_the_public_reads_the_issued_agreement_but_no_draft(client, world, governance_lead, issued):
    draft = upload(world, governance_lead, label="2027")
    page = client.get(agreement_url(world)).content.decode()
    assert "Version 2026" in page and "2027" not in page
    assert "Sign version" not in page
    response = client.get(agreement_url(world, "membership:agreement_file", pk=issued.pk))
    assert response["Content-Type"] == "application/pdf"
    assert drain(response).startswith(b"%PDF-")
    for name in ("membership:agreement_version", "membership:agreement_file"):
        assert client.get(agreement_url(world, name, pk=draft.pk)).status_code == 404


def test_a_body_coordinator_sees_only_the_members_of_their_bodies(client, world, issued, today):
    safer = UserFactory(email="safer@example.org", full_name="Safer Member")
    ms.membership_create(
        actor=None, body=world.group, seat=world.group_seat, person=safer, starts_on=today
    )
    client.force_login(world.group_coordinator)
    html = client.get(agreement_url(world, "membership:agreement_signatures")).content.decode()
    assert "Safer Member" in html
    assert f">{world.member.full_name}</th>" not in html
    assert f">{world.other_member.full_name}</th>" not in html
    client.force_login(world.coordinator)
    html = client.get(agreement_url(world, "membership:agreement_signatures")).content.decode()
    assert "Safer Member" in html and f">{world.other_member.full_name}</th>" in html


@pytest.mark.parametrize("extra", [5, 50])
def test_the_signatures_table_queries_do_not_grow_with_members(
    client, world, governance_lead, issued, extra, today, django_assert_num_queries
):
    seat = ms.seat_create(actor=None, body=world.other, name="Many", count=60, voting=True)
    for _ in range(extra):
        person = UserFactory()
        ms.membership_create(
            actor=None, body=world.other, seat=seat, person=person, starts_on=today
        )
        ms.agreement_sign(actor=person, version=issued)
    client.force_login(world.coordinator)
    url = agreement_url(world, "membership:agreement_signatures")
    # Session, user, rights, partnership, current version, people, their bodies, their
    # signatures.
    with django_assert_num_queries(8):
        response = client.get(url)
    assert response.content.decode().count("govuk-tag--green") == extra


def test_the_agreement_page_queries_do_not_grow_with_versions(
    client, world, governance_lead, django_assert_max_num_queries
):
    for year in range(2020, 2026):
        agree_and_issue(world, governance_lead, upload(world, governance_lead, label=str(year)))
    client.force_login(world.member)
    with django_assert_max_num_queries(8):
        client.get(agreement_url(world))


# --- the demo ---------------------------------------------------------------------------------


def test_the_demo_agreement_is_issued_and_awaits_the_demo_member(db):
    call_command("load_demo", "--force", stdout=StringIO())
    version = AgreementVersion.objects.get()
    assert version.is_issued and version.agreed_by.name == "Mercia Vale Partnership Board"
    daniel = User.objects.get(email="member@mercia-vale.example")
    signed = set(version.signatures.values_list("person__email", flat=True))
    assert daniel.email not in signed
    everyone = selectors.agreement_signatories(partnership=version.partnership)
    assert len(signed) > everyone.count() * 0.9
    call_command("load_demo", "--force", stdout=StringIO())
    assert AgreementVersion.objects.count() == 1
    assert AgreementSignature.objects.count() == len(signed)
