"""The register of key partnerships: adding a key partnership, changing it, ending it, and the
partnership's rules for its register (how often each is reviewed, whether the public sees it).

Every write names its actor for the history, in one transaction; each rule broken is a
ValidationError keyed by the field it concerns, so the form shows it beside that field. The
three-yearly review, which moves the review dates, is ``partnership_reviews``'s.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from membership.selectors import agreement_signatories
from partnership.files import RejectedFile, check_upload
from partnership.history import record_actor
from partnership.models import Partnership
from performance.models import (
    KEY_CRITERIA,
    KeyPartnership,
    KeyPartnershipSettings,
    KeyPartnershipStatus,
    next_review_due,
    review_years_for,
)

__all__ = [
    "KEY_PARTNERSHIP_FIELDS",
    "KEY_PARTNERSHIP_LINKS",
    "key_partnership_create",
    "key_partnership_end",
    "key_partnership_settings_save",
    "key_partnership_update",
]

KEY_PARTNERSHIP_FIELDS = {
    "name",
    "lead_organisation",
    "lead_service",
    "lead_officer",
    "remit",
    "other_partners",
    "meets_key_criteria",
    "key_criteria",
    "key_criteria_notes",
    "monitoring_arrangements",
    "additional_monitoring",
    "additional_monitoring_reason",
    "mou_text",
    "mou_approved_by",
    "mou_approved_on",
    "funding",
    "annual_value",
    "liabilities",
    "exit_strategy",
    "notice_period",
    "reports_to_executive",
    "last_reviewed_on",
    "next_review_on",
}
# Many-to-many links, each to objects that must be the partnership's own.
KEY_PARTNERSHIP_LINKS = {"bodies", "partner_organisations", "risks", "indicators"}
REQUIRED_TEXT = {
    "name": "Enter the key partnership's name",
    "lead_service": "Enter the lead service",
    "remit": "Enter the remit and purpose",
    "monitoring_arrangements": "Enter the monitoring arrangements",
}
UNIQUE_NAME = {"name": "Another key partnership already has this name"}


def _check(kp: KeyPartnership, *, officer_changed: bool, today: date) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name, message in REQUIRED_TEXT.items():
        if not getattr(kp, name):
            errors[name] = message
    if kp.name and (
        KeyPartnership.objects.filter(partnership_id=kp.partnership_id, name__iexact=kp.name)
        .exclude(pk=kp.pk)
        .exists()
    ):
        errors["name"] = UNIQUE_NAME["name"]
    if kp.lead_organisation_id is None:
        errors["lead_organisation"] = "Select the lead organisation"
    elif kp.lead_organisation.partnership_id != kp.partnership_id:
        errors["lead_organisation"] = "Select an organisation of this partnership"
    if kp.lead_officer_id is None:
        errors["lead_officer"] = "Select the lead officer"
    elif officer_changed and not (
        agreement_signatories(partnership=kp.partnership).filter(pk=kp.lead_officer_id).exists()
    ):
        errors["lead_officer"] = (
            "Select someone who sits on a body of the partnership or holds an office in it"
        )
    # "Key" is an answer with its reasons: yes names at least one of the framework's criteria.
    criteria = list(dict.fromkeys(kp.key_criteria or []))
    if kp.meets_key_criteria is None:
        errors["meets_key_criteria"] = "Select whether it meets the criteria for a key partnership"
    elif kp.meets_key_criteria:
        if not criteria:
            errors["key_criteria"] = "Select at least one criterion it meets"
        elif any(code not in KEY_CRITERIA for code in criteria):
            errors["key_criteria"] = "Select from the criteria listed"
    else:
        criteria = []
    kp.key_criteria = [code for code in KEY_CRITERIA if code in criteria]
    if kp.additional_monitoring is None:
        errors["additional_monitoring"] = "Select whether additional monitoring is required"
    elif kp.additional_monitoring and not kp.additional_monitoring_reason:
        errors["additional_monitoring_reason"] = "Say why additional monitoring is required"
    elif not kp.additional_monitoring:
        kp.additional_monitoring_reason = ""
    if kp.annual_value is not None and kp.annual_value < Decimal(0):
        errors["annual_value"] = "The annual value cannot be less than £0"
    _check_dates(kp, errors, today=today)
    return errors


def _check_dates(kp: KeyPartnership, errors: dict[str, str], *, today: date) -> None:
    """The next review is required: worked out from the last (the partnership's review period
    after it) when only the last is given, asked for when neither is."""
    last, upcoming = kp.last_reviewed_on, kp.next_review_on
    if last is not None and last > today:
        errors["last_reviewed_on"] = "The date of the last review cannot be in the future"
        return
    if upcoming is None:
        if last is None:
            errors["next_review_on"] = (
                "Enter the date the next review is due, or the date of the last review"
            )
        else:
            kp.next_review_on = next_review_due(
                last=last, review_years=review_years_for(kp.partnership)
            )
    elif last is not None and upcoming <= last:
        errors["next_review_on"] = "The next review must be after the last review"
    if kp.mou_approved_on is not None and kp.mou_approved_on > today:
        errors["mou_approved_on"] = "The date the memorandum was approved cannot be in the future"


def _check_links(kp: KeyPartnership, links: dict[str, list]) -> dict[str, str]:
    errors = {}
    for name, chosen in links.items():
        if any(obj.partnership_id != kp.partnership_id for obj in chosen):
            errors[name] = "Select from this partnership"
    return errors


def _attach(kp: KeyPartnership, upload: tuple[str, bytes], errors: dict[str, str]) -> Any:
    """The memorandum file checked as papers are (by its content, no macros or scripts);
    stored by the caller once every rule has passed, so a refused form leaves no file."""
    name, data = upload
    try:
        return check_upload(name=name, data=data)
    except RejectedFile as exc:
        errors["mou_file"] = str(exc)
        return None


def _save(
    kp: KeyPartnership,
    *,
    actor: Any,
    reason: str,
    fields: dict[str, Any],
    upload: tuple[str, bytes] | None,
    remove_file: bool,
    today: date | None,
) -> KeyPartnership:
    links = {name: list(fields.pop(name)) for name in list(fields) if name in KEY_PARTNERSHIP_LINKS}
    officer = kp.lead_officer_id
    for name, value in fields.items():
        if name not in KEY_PARTNERSHIP_FIELDS:
            raise TypeError(f"key partnership got an unexpected field {name!r}")
        setattr(kp, name, value.strip() if isinstance(value, str) else value)
    errors = _check(
        kp, officer_changed=kp.pk is None or officer != kp.lead_officer_id, today=today or _today()
    )
    errors.update(_check_links(kp, links))
    checked = _attach(kp, upload, errors) if upload else None
    if errors:
        raise ValidationError(errors)
    old_file = kp.mou_file.name if kp.mou_file else ""
    if checked is not None:
        kp.mou_file.save(checked.name, ContentFile(upload[1]), save=False)
        reason = f"{reason}; memorandum file {'replaced' if old_file else 'added'}"
    elif remove_file and old_file:
        kp.mou_file = ""
        reason = f"{reason}; memorandum file removed"
    record_actor(kp, actor=actor, reason=reason)
    try:
        with transaction.atomic():
            kp.save()
    except IntegrityError as exc:  # the name taken in a race
        raise ValidationError(UNIQUE_NAME) from exc
    for name, chosen in links.items():
        getattr(kp, name).set(chosen)
    if old_file and (checked is not None or remove_file):
        storage = kp.mou_file.storage
        transaction.on_commit(lambda: storage.delete(old_file))
    return kp


def _today() -> date:
    return timezone.localdate()


@transaction.atomic
def key_partnership_create(
    *,
    actor: Any,
    partnership: Partnership,
    mou_upload: tuple[str, bytes] | None = None,
    today: date | None = None,
    **fields: Any,
) -> KeyPartnership:
    """A new key partnership on the register. Every field of the model may be given, the
    links (``bodies``, ``partner_organisations``, ``risks``, ``indicators``) as lists and the
    memorandum file as ``mou_upload`` (name, bytes)."""
    kp = KeyPartnership(partnership=partnership)
    return _save(
        kp,
        actor=actor,
        reason="Key partnership added",
        fields=fields,
        upload=mou_upload,
        remove_file=False,
        today=today,
    )


@transaction.atomic
def key_partnership_update(
    *,
    actor: Any,
    key_partnership: KeyPartnership,
    mou_upload: tuple[str, bytes] | None = None,
    remove_mou_file: bool = False,
    reason: str = "",
    today: date | None = None,
    **fields: Any,
) -> KeyPartnership:
    """Change a key partnership (an ended one stays as it was); the history records
    ``reason``. A new ``mou_upload`` replaces the memorandum file, ``remove_mou_file`` drops it."""
    kp = (
        KeyPartnership.objects.select_for_update(of=("self",))
        .select_related("partnership")
        .get(pk=key_partnership.pk)
    )
    if not kp.is_active:
        raise ValidationError("This key partnership has ended: it no longer changes.")
    return _save(
        kp,
        actor=actor,
        reason=(reason or "Key partnership changed"),
        fields=fields,
        upload=mou_upload,
        remove_file=remove_mou_file,
        today=today,
    )


@transaction.atomic
def key_partnership_end(
    *,
    actor: Any,
    key_partnership: KeyPartnership,
    reason: str,
    ended_on: date | None = None,
) -> KeyPartnership:
    """End a key partnership with a reason (kept whole on the record): it stays on the register,
    readable, and is no longer reviewed or chased."""
    kp = KeyPartnership.objects.select_for_update(of=("self",)).get(pk=key_partnership.pk)
    if not kp.is_active:
        raise ValidationError("This key partnership has already ended.")
    reason = " ".join(reason.split())
    today = _today()
    errors = {}
    if not reason:
        errors["reason"] = "Say why the key partnership is ending"
    if ended_on is not None and ended_on > today:
        errors["ended_on"] = "The date it ended cannot be in the future"
    elif ended_on is not None and kp.last_reviewed_on and ended_on < kp.last_reviewed_on:
        reviewed = f"{kp.last_reviewed_on:%-d %B %Y}"
        errors["ended_on"] = f"The date it ended cannot be before its last review, on {reviewed}"
    if errors:
        raise ValidationError(errors)
    kp.status = KeyPartnershipStatus.ENDED
    kp.ended_on = ended_on or today
    kp.end_reason = reason
    record_actor(kp, actor=actor, reason=f"Ended: {reason}")
    kp.save(update_fields=["status", "ended_on", "end_reason"])
    return kp


@transaction.atomic
def key_partnership_settings_save(
    *, actor: Any, partnership: Partnership, review_years: int, publish_register: bool
) -> KeyPartnershipSettings:
    """How often each key partnership is reviewed (1 to 10 years: next reviews already set
    keep their dates, the next review recorded uses the new period) and whether the public
    sees the register's public fields."""
    if isinstance(review_years, bool) or not isinstance(review_years, int):
        raise ValidationError({"review_years": "Enter a whole number of years from 1 to 10"})
    if not 1 <= review_years <= 10:
        raise ValidationError({"review_years": "Enter a whole number of years from 1 to 10"})
    settings = KeyPartnershipSettings.objects.select_for_update().filter(
        partnership=partnership
    ).first() or KeyPartnershipSettings(partnership=partnership)
    settings.review_years = review_years
    settings.publish_register = bool(publish_register)
    record_actor(
        settings,
        actor=actor,
        reason="Register published" if publish_register else "Register settings changed",
    )
    settings.save()
    return settings
