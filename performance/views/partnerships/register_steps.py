"""The register's steps: adding a key partnership, changing it (its memorandum file too),
ending it with a reason, and the register's settings: the keepers' alone
(``can_keep_key_partnerships``). Each fetches and authorises, validates a form, calls the
service and puts any ValidationError it raises on the form, by the field it concerns, keeping
what was typed (a chosen file must be chosen again)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from membership.selectors import agreement_signatories
from partnership import permissions as perms
from partnership.forms import posted
from partnership.history import history_entries
from partnership.models import Body, Organisation, Partnership
from performance.forms.partnerships import LINKS, EndForm, KeyPartnershipForm, RegisterSettingsForm
from performance.models import Indicator, KeyPartnership, KeyPartnershipSettings
from performance.selectors import viewer_for
from performance.selectors.risks import risks_visible_to
from performance.services import partnerships as services
from performance.views.partnerships.register_common import (
    TEMPLATES,
    keeper_or_403,
    key_partnership_or_404,
    list_url,
    reader_or_404,
)

__all__ = [
    "key_partnership_create",
    "key_partnership_edit",
    "key_partnership_end",
    "key_partnership_settings",
]


def _form(request: HttpRequest, p: Partnership, kp: KeyPartnership | None = None):
    user = request.user
    people = agreement_signatories(partnership=p)
    if kp is not None:
        people = people | type(kp.lead_officer).objects.filter(pk=kp.lead_officer_id)
    viewer = viewer_for(user, p)
    linked_risks = kp.risks.values("pk") if kp is not None else []
    return KeyPartnershipForm(
        posted(request),
        request.FILES if request.method == "POST" else None,
        initial=KeyPartnershipForm.initial_from(kp) if kp else None,
        organisations=Organisation.objects.filter(partnership=p).order_by("name"),
        people=people.order_by("full_name", "pk").distinct(),
        bodies=Body.objects.filter(partnership=p).order_by("name"),
        # Open risks the user may see, and those already linked that they may see (closed
        # ones included); linked risks they may not see are never offered (and stay linked).
        risks=risks_visible_to(user, p)
        .filter(Q(status="open") | Q(pk__in=linked_risks))
        .order_by("code", "pk"),
        indicators=Indicator.objects.filter(viewer.indicators(), partnership=p).order_by("code"),
        has_file=bool(kp and kp.mou_file),
    )


def _upload(form: KeyPartnershipForm) -> tuple[str, bytes] | None:
    upload = form.cleaned_data.get("mou_file")
    if not upload:
        return None
    # At most one byte past the limit: enough to know it is too big.
    return upload.name, upload.read(settings.PAPER_MAX_BYTES + 1)


def _fields(form: KeyPartnershipForm) -> dict[str, Any]:
    return {
        name: value
        for name, value in form.cleaned_data.items()
        if name not in ("mou_file", "remove_mou_file")
    }


def _form_page(request, p: Partnership, form, **extra) -> HttpResponse:
    return render(
        request, TEMPLATES + "key_partnership_form.html", {"partnership": p, "form": form, **extra}
    )


@login_required
@require_http_methods(["GET", "POST"])
def key_partnership_create(request: HttpRequest, partnership: str) -> HttpResponse:
    p = perms.get_partnership_or_404(partnership)
    reader_or_404(request.user, p)
    keeper_or_403(request, p)
    form = _form(request, p)
    if request.method == "POST" and form.is_valid():
        try:
            kp = services.key_partnership_create(
                actor=request.user, partnership=p, mou_upload=_upload(form), **_fields(form)
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"{kp.name} has been added to the register.")
            return redirect(kp.get_absolute_url())
    return _form_page(
        request,
        p,
        form,
        heading="Add a key partnership",
        button="Add the key partnership",
        back=list_url(p),
        back_label="Back to the key partnerships register",
    )


def _changes(kp: KeyPartnership, fields: dict[str, Any]) -> dict[str, Any]:
    """Only what changed, so an unchanged save writes no empty history row."""
    changes = {}
    for name, value in fields.items():
        if name in LINKS:
            if {o.pk for o in getattr(kp, name).all()} != {o.pk for o in value}:
                changes[name] = value
        elif name == "key_criteria":
            if list(value) != list(kp.key_criteria):
                changes[name] = value
        elif getattr(kp, name) != value:
            changes[name] = value
    return changes


@login_required
@require_http_methods(["GET", "POST"])
def key_partnership_edit(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    kp, _ = key_partnership_or_404(request, partnership, pk)
    keeper_or_403(request, kp.partnership)
    if not kp.is_active:
        messages.error(request, "This key partnership has ended: it no longer changes.")
        return redirect(kp.get_absolute_url())
    form = _form(request, kp.partnership, kp)
    if request.method == "POST" and form.is_valid():
        fields = _fields(form)
        # Links to risks and indicators this keeper cannot see are not on the form: they stay.
        for name, shown in (
            ("risks", form.fields["risks"].queryset),
            ("indicators", form.fields["indicators"].queryset),
        ):
            hidden = list(getattr(kp, name).exclude(pk__in=shown.values("pk")))
            fields[name] = [*fields[name], *hidden]
        changes = _changes(kp, fields)
        upload = _upload(form)
        remove = bool(form.cleaned_data.get("remove_mou_file")) and not upload
        try:
            if changes or upload or remove:
                services.key_partnership_update(
                    actor=request.user,
                    key_partnership=kp,
                    mou_upload=upload,
                    remove_mou_file=remove,
                    **changes,
                )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                f"{kp.name} has been updated."
                if changes or upload or remove
                else "Nothing was changed.",
            )
            return redirect(kp.get_absolute_url())
    return _form_page(
        request,
        kp.partnership,
        form,
        key_partnership=kp,
        mou_file_name=kp.mou_file.name.rsplit("/", 1)[-1] if kp.mou_file else "",
        heading=f"Change {kp.name}",
        button="Save changes",
        back=kp.get_absolute_url(),
        back_label="Back to the key partnership",
    )


@login_required
@require_http_methods(["GET", "POST"])
def key_partnership_end(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    """End a key partnership, with a reason: a confirmation page, then a POST."""
    kp, _ = key_partnership_or_404(request, partnership, pk)
    keeper_or_403(request, kp.partnership)
    if not kp.is_active:
        messages.error(request, "This key partnership has already ended.")
        return redirect(kp.get_absolute_url())
    form = EndForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.key_partnership_end(
                actor=request.user,
                key_partnership=kp,
                reason=form.cleaned_data["reason"],
                ended_on=form.cleaned_data["ended_on"],
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"{kp.name} has ended. It stays on the register, readable.")
            return redirect(kp.get_absolute_url())
    return render(
        request,
        TEMPLATES + "key_partnership_end.html",
        {
            "partnership": kp.partnership,
            "key_partnership": kp,
            "form": form,
            "heading": f"End {kp.name}",
            "button": "End the key partnership",
            "back": kp.get_absolute_url(),
            "back_label": "Back to the key partnership",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def key_partnership_settings(request: HttpRequest, partnership: str) -> HttpResponse:
    p = perms.get_partnership_or_404(partnership)
    reader_or_404(request.user, p)
    keeper_or_403(request, p)
    current = KeyPartnershipSettings.objects.filter(partnership=p).first()
    current = current or KeyPartnershipSettings(partnership=p)
    form = RegisterSettingsForm(posted(request), initial=RegisterSettingsForm.initial_from(current))
    if request.method == "POST" and form.is_valid():
        try:
            services.key_partnership_settings_save(
                actor=request.user, partnership=p, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, "The register's settings have been saved.")
            return redirect(list_url(p))
    return render(
        request,
        TEMPLATES + "register_settings.html",
        {
            "partnership": p,
            "form": form,
            "published": current.publish_register,
            "heading": "Key partnerships register settings",
            "button": "Save settings",
            "back": list_url(p),
            "back_label": "Back to the key partnerships register",
            "history": history_entries(current) if current.pk else [],
        },
    )
