"""The partnership agreement: versions uploaded by the governance lead, agreed by a board,
issued to every member, signed in the app, and chased until signed.

Decisions, written down once:
- *Who signs* ("signatories"): everyone with a current membership of a body in the
  partnership or a current appointment in it (co-ordinators and the governance lead work
  under the agreement too). They are the ones told, chased and listed; nobody else may sign.
- *The current version* is the one issued most recently; only it can be signed.
- *Telling*: issuing tells every signatory at once, synchronously (a few hundred e-mails at
  most for a partnership), each through ``notify_once`` keyed on the version, so the same
  person is never told twice. A failed send is logged and does not stop the issue; the daily
  job tells anyone not yet told (that also reaches people who joined after the issue).
- *Chasing*: from two weeks after a signatory was told, one reminder per calendar month until
  they sign (key ``agreement-unsigned:<version>:<YYYY-MM>``), however often the job runs.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from membership.models import AgreementSignature, AgreementVersion, User
from membership.selectors import agreement_current, agreement_signatories, is_signatory
from partnership import permissions as perms
from partnership.files import FileType, RejectedFile, check_upload, sniff
from partnership.history import record_actor
from partnership.models import Body, Notice, Partnership
from partnership.notifications import notify_each

__all__ = [
    "AGREEMENT_CHASE_AFTER",
    "agreement_chase_unsigned",
    "agreement_issue",
    "agreement_record_approval",
    "agreement_sign",
    "agreement_tell_issued",
    "agreement_version_upload",
]

# How long after being told a signatory is first reminded.
AGREEMENT_CHASE_AFTER = timedelta(days=14)


def _require_lead(actor: Any, partnership: Partnership) -> None:
    if not perms.can_lead_governance(actor, partnership):
        raise PermissionDenied("Only the governance lead manages the partnership agreement.")


def _lock(version: AgreementVersion) -> AgreementVersion:
    # Work on the row as it is now: two people issuing at once must not tell everyone twice
    # nor change the board's agreement under an issue.
    return (
        AgreementVersion.objects.select_for_update(of=("self",))
        .select_related("partnership", "agreed_by")
        .get(pk=version.pk)
    )


def agreement_url(version: AgreementVersion) -> str:
    return reverse("membership:agreement", kwargs={"partnership": version.partnership.slug})


@transaction.atomic
def agreement_version_upload(
    *,
    actor: Any,
    partnership: Partnership,
    label: str,
    what_changed: str,
    upload: tuple[str, bytes] | None,
) -> AgreementVersion:
    """A new draft version, as a PDF. Refused uploads say why against the ``upload`` field."""
    _require_lead(actor, partnership)
    label, what_changed = label.strip(), what_changed.strip()
    errors: dict[str, str] = {}
    if not label:
        errors["label"] = "Enter the version, for example 2026"
    elif AgreementVersion.objects.filter(partnership=partnership, label__iexact=label).exists():
        errors["label"] = f"There is already a version called {label}: choose another name"
    if not what_changed:
        errors["what_changed"] = "Say what changed in this version"
    checked = None
    if not upload:
        errors["upload"] = "Select the agreement as a PDF file"
    else:
        name, data = upload
        # check_upload also accepts Office files; the agreement must be a PDF, so every member
        # reads the same pages. Empty and oversized files get check_upload's own message.
        if data and len(data) <= settings.PAPER_MAX_BYTES and sniff(data) != FileType.PDF:
            errors["upload"] = (
                "The selected file must be a PDF. Its content is not a PDF, whatever its name says"
            )
        else:
            try:
                checked = check_upload(name=name, data=data)
            except RejectedFile as exc:
                errors["upload"] = str(exc)
    if errors:
        raise ValidationError(errors)
    version = AgreementVersion(
        partnership=partnership,
        label=label,
        what_changed=what_changed,
        file_name=checked.name,
        file_size=checked.size,
        uploaded_by=actor,
    )
    # Stored only once every rule has passed, so a refused upload leaves no file behind.
    version.file.save(checked.name, ContentFile(upload[1]), save=False)
    record_actor(version, actor=actor, reason="Version uploaded")
    try:
        with transaction.atomic():
            version.save()
    except IntegrityError as exc:
        # Another upload took the same name between our check and our insert.
        version.file.storage.delete(version.file.name)
        raise ValidationError(
            {"label": f"There is already a version called {label}: choose another name"}
        ) from exc
    return version


@transaction.atomic
def agreement_record_approval(
    *, actor: Any, version: AgreementVersion, body: Body | None, agreed_on: date | None
) -> AgreementVersion:
    """Record which board agreed the version and when. Can be corrected until it is issued."""
    version = _lock(version)
    _require_lead(actor, version.partnership)
    if version.is_issued:
        raise ValidationError("This version has been issued: its agreement cannot change.")
    errors: dict[str, str] = {}
    if body is None:
        errors["body"] = "Select the body that agreed this version"
    elif body.partnership_id != version.partnership_id:
        errors["body"] = "Select a body of this partnership"
    if agreed_on is None:
        errors["agreed_on"] = "Enter the date it was agreed"
    elif agreed_on > timezone.localdate():
        errors["agreed_on"] = "The date it was agreed must be today or in the past"
    elif body is not None and body.closed_on and body.closed_on <= agreed_on:
        errors["body"] = f"{body.name} had closed by then: select the body that agreed it"
    if errors:
        raise ValidationError(errors)
    version.agreed_by, version.agreed_on = body, agreed_on
    record_actor(version, actor=actor, reason="Agreement recorded")
    version.save(update_fields=["agreed_by", "agreed_on"])
    return version


@transaction.atomic
def agreement_issue(*, actor: Any, version: AgreementVersion) -> AgreementVersion:
    """Make the version current and tell every signatory, by e-mail and in the app."""
    version = _lock(version)
    _require_lead(actor, version.partnership)
    if version.is_issued:
        raise ValidationError("This version has already been issued.")
    if not version.is_agreed:
        raise ValidationError("Record the board's agreement before issuing this version.")
    version.issued_at = timezone.now()
    record_actor(version, actor=actor, reason="Version issued")
    version.save(update_fields=["issued_at"])
    agreement_tell_issued(version=version)
    return version


def agreement_tell_issued(*, version: AgreementVersion) -> int:
    """Tell each signatory not yet told that ``version`` is issued. Returns how many were
    told now; safe to run as often as wanted. A failed send is logged and left to the daily
    job, so one bad address holds up nobody else."""
    url = agreement_url(version)
    return notify_each(
        (
            {
                "to": person,
                "key": f"agreement-issued:{version.pk}",
                "template": "agreement_issued",
                "context": {"version": version, "partnership": version.partnership},
                "url": url,
            }
            for person in agreement_signatories(partnership=version.partnership)
        ),
        raise_failures=False,
    )


@transaction.atomic
def agreement_sign(*, actor: User, version: AgreementVersion) -> AgreementSignature:
    """The actor signs ``version``. Only the current version, only by a signatory; signing
    again returns the first signature unchanged."""
    partnership = version.partnership
    if not is_signatory(person=actor, partnership=partnership):
        raise PermissionDenied("Only members of the partnership sign its agreement.")
    current = agreement_current(partnership=partnership)
    if current is None or current.pk != version.pk:
        raise ValidationError("This is not the current version of the agreement: sign that one.")
    # get_or_create retries the read after losing a race on the unique constraint.
    signature, _ = AgreementSignature.objects.get_or_create(person=actor, version=version)
    return signature


def agreement_chase_unsigned(*, now: datetime | None = None) -> int:
    """For each partnership's current version: tell anyone not yet told, then remind each
    signatory who has not signed it, once per calendar month, from AGREEMENT_CHASE_AFTER
    after they were told. Returns the number of reminders sent."""
    now = now or timezone.now()
    month = timezone.localtime(now).strftime("%Y-%m")
    sent = 0
    for partnership in Partnership.objects.filter(
        agreement_versions__issued_at__isnull=False
    ).distinct():
        version = agreement_current(partnership=partnership)
        if version is None:
            continue
        agreement_tell_issued(version=version)
        signed = set(version.signatures.values_list("person_id", flat=True))
        told_long_ago = set(
            Notice.objects.filter(
                key=f"agreement-issued:{version.pk}", created_at__lte=now - AGREEMENT_CHASE_AFTER
            ).values_list("recipient_id", flat=True)
        )
        url = agreement_url(version)
        due = [
            person
            for person in agreement_signatories(partnership=partnership)
            if person.pk not in signed and person.pk in told_long_ago
        ]
        # One bad address must not hold up everyone else's reminder; the next run tries
        # again this month.
        sent += notify_each(
            (
                {
                    "to": person,
                    "key": f"agreement-unsigned:{version.pk}:{month}",
                    "template": "agreement_unsigned",
                    "context": {"version": version, "partnership": partnership},
                    "url": url,
                }
                for person in due
            ),
            raise_failures=False,
        )
    return sent
