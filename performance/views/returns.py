"""A return's page (the lead's form, or the return read-only), the rating a typed value would
give, sign-off, sending back, re-opening and delegating. The lists of returns ("Your returns",
a body's returns) are in return_lists.py, and are served from here under their URL names.

Every return view fetches and authorises through ``_return_or_404``: an indicator the user may
not see is a 404 (to them it does not exist), a step they may not take a 403.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from partnership import permissions as perms
from partnership.history import history_entries
from partnership.periods import Quarter
from performance import permissions, selectors, services
from performance.forms.returns import TAKE_BACK, DelegateForm, ReasonForm, ReturnForm
from performance.models import REPORTED, EventKind, Indicator, Return, ReturnStatus
from performance.rules import parse_value
from performance.services.returns import ReturnConflict
from performance.views.return_lists import body_returns, my_returns, quarter_or_404, return_url

__all__ = [
    "body_returns",
    "my_returns",
    "return_delegate",
    "return_detail",
    "return_rating",
    "return_reopen",
    "return_send_back",
    "return_sign_off",
]


@dataclass
class ReturnPage:
    """One indicator's return for one period, and what the user may do with it."""

    indicator: Indicator
    period: Quarter
    ret: Return | None
    user: object

    @property
    def url(self) -> str:
        return return_url(self.indicator, self.period)

    @property
    def editable(self) -> bool:
        return self.ret is None or self.ret.is_editable

    @property
    def is_lead(self) -> bool:
        return self.indicator.lead_id == self.user.pk

    @property
    def can_write(self) -> bool:
        return permissions.can_write_return(self.user, self.indicator, self.ret)

    @property
    def can_sign(self) -> bool:
        return permissions.can_sign_off(self.user, self.indicator.body)

    @property
    def status(self) -> str:
        return self.ret.status if self.ret else "not_started"

    @property
    def status_label(self) -> str:
        return self.ret.get_status_display() if self.ret else "Not started"

    @property
    def submitted_by_me(self) -> bool:
        return self.ret is not None and self.ret.submitted_by_id == self.user.pk


def _return_or_404(request: HttpRequest, partnership: str, pk: int, period: str) -> ReturnPage:
    """The return's page, if the user may see the indicator's returns: its insiders, and the
    colleague a return is delegated to (who need not sit on the owning body)."""
    quarter = quarter_or_404(period)
    indicator = (
        Indicator.objects.select_related("partnership", "body", "lead")
        .filter(partnership__slug=partnership, pk=pk)
        .first()
    )
    if indicator is None:
        raise Http404("No such indicator")
    ret = selectors.return_for(indicator=indicator, period=quarter)
    if ret is not None:
        ret.indicator = indicator
    page = ReturnPage(indicator=indicator, period=quarter, ret=ret, user=request.user)
    if not (page.can_write or permissions.is_insider(request.user, indicator)):
        raise Http404("No such indicator")
    return page


def _next_or(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _context(page: ReturnPage, **extra) -> dict:
    indicator = page.indicator
    deadline = selectors.deadline_for(body=indicator.body, period=page.period)
    today = timezone.localdate()
    return {
        "partnership": indicator.partnership,
        "page": page,
        "indicator": indicator,
        "period": page.period,
        "ret": page.ret,
        "deadline": deadline,
        "today": today,
        "late": selectors.is_late(page.ret, deadline, today),
        **extra,
    }


# --- a return's page --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def return_detail(request: HttpRequest, partnership: str, pk: int, period: str) -> HttpResponse:
    page = _return_or_404(request, partnership, pk, period)
    if page.can_write and page.editable:
        return _write(request, page)
    if request.method == "POST":
        raise PermissionDenied
    ret = page.ret
    # Drafts are the writer's own until submitted: others see the figures once reported.
    shown = ret is not None and (ret.status in REPORTED or page.can_write)
    return render(
        request,
        "performance/returns/return_detail.html",
        _context(
            page,
            shown=shown,
            events=list(ret.events.select_related("actor")) if ret else [],
            history=history_entries(
                ret, hide_reasons=() if page.can_write else (services.DRAFT_SAVED,)
            )
            if shown
            else [],
            signers=services.sign_off_people(indicator=page.indicator)
            if ret is not None and ret.status == ReturnStatus.SUBMITTED
            else [],
        ),
    )


def _posted_version(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1  # refused as a conflict: nobody saves over a version they never saw


def _write(request: HttpRequest, page: ReturnPage) -> HttpResponse:
    """The lead's form. "Check rating" re-renders the page with the rating the typed value
    gives, saving nothing, so it works without JavaScript."""
    ret, indicator = page.ret, page.indicator
    version = ret.version if ret else 0
    form = ReturnForm(
        request.POST or None, initial=ReturnForm.initial_from(ret), indicator=indicator
    )
    conflict = None
    if request.method == "POST":
        action = request.POST.get("action", "save")
        version = _posted_version(request)
        if form.is_valid() and action in ("save", "submit"):
            service = services.return_submit if action == "submit" else services.return_save
            try:
                service(
                    actor=request.user,
                    indicator=indicator,
                    period=page.period,
                    version=version,
                    **form.cleaned_data,
                )
            except ReturnConflict as error:
                form.add_error(None, error)
                conflict = error.current
                # Saving again is now a deliberate overwrite of what they have been shown.
                version = conflict.version
            except ValidationError as error:
                form.add_service_error(error)
            else:
                if action == "submit":
                    messages.success(
                        request,
                        f"{indicator.code} {page.period.label} submitted for sign-off.",
                    )
                else:
                    messages.success(request, "Draft saved. You can come back to it later.")
                return redirect(page.url)
    if form.is_bound:
        value_ok = "value" not in form.errors and hasattr(form, "cleaned_data")
        value = form.cleaned_data.get("value") if value_ok else None
        rating_error = " ".join(form.errors.get("value", []))
    else:
        value, rating_error = (ret.value if ret else None), ""
    rating = (
        None
        if rating_error
        else services.return_rating(indicator=indicator, period=page.period, value=value)
    )
    events = list(ret.events.select_related("actor")) if ret else []
    # Why it came back, shown to whoever corrects it.
    last = events[-1] if events else None
    sent_back = (
        last
        if ret is not None
        and ret.status == ReturnStatus.SENT_BACK
        and last is not None
        and last.kind in (EventKind.SENT_BACK, EventKind.REOPENED)
        else None
    )
    return render(
        request,
        "performance/returns/return_form.html",
        _context(
            page,
            form=form,
            version=version,
            conflict=conflict,
            rating=rating,
            rating_error=rating_error,
            rating_url=return_url(indicator, page.period, "return_rating"),
            events=events,
            sent_back=sent_back,
            history=history_entries(ret) if ret else [],
        ),
    )


@login_required
@require_GET
def return_rating(request: HttpRequest, partnership: str, pk: int, period: str) -> HttpResponse:
    """The rating panel for ``?value=``, as an HTML fragment for the form's script; 400 with
    the error for a value that cannot be a figure of this indicator."""
    page = _return_or_404(request, partnership, pk, period)
    perms.require(page.can_write)
    context = {"indicator": page.indicator, "rating": None, "rating_error": ""}
    status = 200
    try:
        value = parse_value(page.indicator, request.GET.get("value", ""))
    except ValidationError as error:
        context["rating_error"] = " ".join(error.messages)
        status = 400
    else:
        context["rating"] = services.return_rating(
            indicator=page.indicator, period=page.period, value=value
        )
    return render(request, "performance/returns/_rating.html", context, status=status)


# --- signing off, sending back, re-opening, delegating --------------------------------------


@login_required
@require_POST
def return_sign_off(request: HttpRequest, partnership: str, pk: int, period: str) -> HttpResponse:
    page = _return_or_404(request, partnership, pk, period)
    perms.require(page.can_sign)
    try:
        if page.ret is None:
            raise ValidationError("This return is not awaiting sign-off.")
        services.return_sign_off(actor=request.user, ret=page.ret)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"{page.indicator.code} {page.period.label} signed off. Its lead has been told.",
        )
    return redirect(_next_or(request, page.url))


def _reason_page(
    request: HttpRequest, page: ReturnPage, *, status: str, service, form: ReasonForm, **text
) -> HttpResponse:
    """A form asking why, for sending back and re-opening: both act on a return in one state."""
    if page.ret is None or page.ret.status != status:
        messages.error(request, text["wrong_state"])
        return redirect(page.url)
    if request.method == "POST" and form.is_valid():
        try:
            service(actor=request.user, ret=page.ret, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, text["done"])
            return redirect(page.url)
    return render(
        request,
        "performance/returns/reason_form.html",
        _context(
            page, form=form, heading=text["heading"], intro=text["intro"], button=text["button"]
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def return_send_back(request: HttpRequest, partnership: str, pk: int, period: str) -> HttpResponse:
    page = _return_or_404(request, partnership, pk, period)
    perms.require(page.can_sign)
    form = ReasonForm(
        request.POST or None,
        label="What needs to change?",
        required="Enter what needs to change",
        hint="The lead is sent this reason with the return.",
    )
    return _reason_page(
        request,
        page,
        status=ReturnStatus.SUBMITTED,
        service=services.return_send_back,
        form=form,
        wrong_state="This return is not awaiting sign-off, so it cannot be sent back.",
        done="Return sent back. Its lead has been told why.",
        heading="Send this return back to its lead",
        intro="The lead corrects it and submits it again for sign-off.",
        button="Send back",
    )


@login_required
@require_http_methods(["GET", "POST"])
def return_reopen(request: HttpRequest, partnership: str, pk: int, period: str) -> HttpResponse:
    page = _return_or_404(request, partnership, pk, period)
    perms.require(page.can_sign)
    form = ReasonForm(
        request.POST or None,
        label="What needs correcting?",
        required="Enter what needs correcting",
        hint="The lead is sent this reason. The signed-off figure stays in the return's history.",
    )
    return _reason_page(
        request,
        page,
        status=ReturnStatus.SIGNED_OFF,
        service=services.return_reopen,
        form=form,
        wrong_state="Only a signed-off return can be re-opened for a correction.",
        done="Return re-opened for a correction. Its lead has been told why.",
        heading="Re-open this return for a correction",
        intro="The lead corrects the figures and submits the return again for sign-off.",
        button="Re-open for a correction",
    )


@login_required
@require_http_methods(["GET", "POST"])
def return_delegate(request: HttpRequest, partnership: str, pk: int, period: str) -> HttpResponse:
    page = _return_or_404(request, partnership, pk, period)
    perms.require(page.is_lead)
    if not page.editable:
        messages.error(request, "This return has been submitted, so it can no longer be delegated.")
        return redirect(page.url)
    colleagues = selectors.colleagues_of(
        person=request.user, partnership=page.indicator.partnership
    )
    current = page.ret.delegate_id if page.ret else None
    form = DelegateForm(
        request.POST or None,
        colleagues=colleagues,
        initial={"delegate": str(current) if current else TAKE_BACK},
    )
    if request.method == "POST" and form.is_valid():
        delegate = form.cleaned_data["delegate"]
        try:
            services.return_delegate(
                actor=request.user, indicator=page.indicator, period=page.period, delegate=delegate
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                f"Return delegated to {delegate.full_name}. They have been told."
                if delegate
                else "You have the return back: you will write it yourself.",
            )
            return redirect(page.url)
    return render(
        request,
        "performance/returns/delegate_form.html",
        _context(page, form=form, colleagues=colleagues),
    )
