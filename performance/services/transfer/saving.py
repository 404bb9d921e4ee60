"""Saving a clean preview, all or nothing, and keeping an upload between its preview and its
confirmation."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from partnership.models import Partnership
from partnership.storage import private_storage
from performance.models import (
    Indicator,
)
from performance.services.setup import indicator_create, indicator_update, target_set
from performance.services.transfer.preview import ImportPreview


def indicators_import(*, partnership: Partnership, actor: Any, preview: ImportPreview) -> int:
    """Save a clean preview, all or nothing; returns how many indicators were created or
    changed. A row a service refuses (a race since the preview) rolls everything back and
    raises ValidationError naming the row."""
    if not preview.is_valid:
        raise ValidationError("The file has errors, so nothing was imported")
    reason = f"Imported from {preview.name}"[:100]
    done = 0
    with transaction.atomic():
        for row in preview.rows:
            if row.action == "unchanged":
                continue
            try:
                if row.indicator is None:
                    indicator = indicator_create(actor=actor, partnership=partnership, **row.fields)
                else:
                    locked = Indicator.objects.select_for_update()
                    indicator = locked.filter(pk=row.indicator.pk).first()
                    if indicator is None:
                        raise ValidationError("the indicator was deleted a moment ago")
                    if row.fields:
                        indicator_update(
                            actor=actor, indicator=indicator, reason=reason, **row.fields
                        )
                for (year, quarter), value in sorted(row.targets.items()):
                    target_set(
                        actor=actor,
                        indicator=indicator,
                        year=year,
                        quarter=quarter,
                        value=value,
                        reason=reason,
                    )
            except ValidationError as problem:
                raise ValidationError(
                    f"Row {row.number} ({row.code}): {' '.join(problem.messages)}. "
                    "Nothing was imported."
                ) from problem
            done += 1
    return done


# --- an upload between its preview and its confirmation ------------------------------------------

# A confirmation imports the very bytes that were previewed, kept in private storage under a
# random name, in a folder of the person and partnership: never row data sent back by the form.
UPLOAD_ID = re.compile(r"[A-Za-z0-9_-]{20,64}")
KEEP_FOR = timedelta(days=1)


def _upload_folder(partnership: Partnership, actor: Any) -> str:
    return f"imports/{partnership.pk}/{actor.pk}"


def upload_keep(*, partnership: Partnership, actor: Any, name: str, data: bytes) -> str:
    """Keep an uploaded file until it is confirmed; returns its id. Uploads of the same
    person older than a day are thrown away (an abandoned preview leaves nothing for long)."""
    folder = _upload_folder(partnership, actor)
    if private_storage.exists(folder):
        for old in private_storage.listdir(folder)[0]:
            try:
                files = private_storage.listdir(f"{folder}/{old}")[1]
                stale = all(
                    timezone.now() - private_storage.get_modified_time(f"{folder}/{old}/{f}")
                    > KEEP_FOR
                    for f in files
                )
            except FileNotFoundError:
                continue
            if stale:
                upload_discard(partnership=partnership, actor=actor, upload_id=old)
    upload_id = secrets.token_urlsafe(24)
    private_storage.save(f"{folder}/{upload_id}/{name}", ContentFile(data))
    return upload_id


def upload_kept(
    *, partnership: Partnership, actor: Any, upload_id: str
) -> tuple[str, bytes] | None:
    """The name and bytes of a kept upload of this person, or None if it has gone."""
    if not UPLOAD_ID.fullmatch(upload_id):
        return None
    folder = f"{_upload_folder(partnership, actor)}/{upload_id}"
    try:
        files = private_storage.listdir(folder)[1]
    except FileNotFoundError:
        return None
    if len(files) != 1:
        return None
    with private_storage.open(f"{folder}/{files[0]}", "rb") as kept:
        return files[0], kept.read()


def upload_discard(*, partnership: Partnership, actor: Any, upload_id: str) -> None:
    if not UPLOAD_ID.fullmatch(upload_id):
        return
    folder = f"{_upload_folder(partnership, actor)}/{upload_id}"
    try:
        files = private_storage.listdir(folder)[1]
    except FileNotFoundError:
        return
    for name in files:
        private_storage.delete(f"{folder}/{name}")
    private_storage.delete(folder)
