"""What happened at a meeting: apologies and substitutes, attendance, interests declared,
actions, and the minutes with the chair's approval."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from governance import selectors, services
from governance.forms import (
    ActionForm,
    ApologiesForm,
    AttendanceForm,
    InterestForm,
    MinutesForm,
    ReasonForm,
    ReviewForm,
)
from governance.views.meetings import _people, meeting_for


def _page(meeting, **extra) -> dict:
    return {
        "partnership": meeting.body.partnership,
        "body": meeting.body,
        "meeting": meeting,
        **extra,
    }


# --- before the meeting: apologies ----------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def apologies(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    meeting, _ = meeting_for(request, partnership, pk)
    membership = services.meeting_membership(meeting=meeting, person=request.user)
    if membership is None:
        raise PermissionDenied
    people = services.substitutes_allowed(meeting=meeting, membership=membership)
    form = ApologiesForm(
        request.POST or None, people=people, nominating_body=membership.seat.nominating_body
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.apologies_send(
                actor=request.user, meeting=meeting, substitute=form.cleaned_data["substitute"]
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, "Your apologies were sent. The co-ordinator has been told.")
            return redirect(meeting)
    return render(request, "governance/apologies_form.html", _page(meeting, form=form))


# --- at or after the meeting -----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def attendance(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    meeting, _ = meeting_for(request, partnership, pk, need="manage")
    members = services.meeting_members(meeting=meeting)
    recorded = {a.person_id: a for a in meeting.attendance.all()}
    initial = {}
    for m in members:
        if m.person_id in recorded:
            initial[f"status_{m.person_id}"] = recorded[m.person_id].status
            initial[f"substitute_{m.person_id}"] = recorded[m.person_id].substitute_id
    substitutes = {
        m.person_id: services.substitutes_allowed(meeting=meeting, membership=m) for m in members
    }
    # The acting chair is asked for once the chair and the deputy are recorded away (by
    # apologies sent before, or by the last save of this page, which comes back here).
    offer_acting = services.chair_and_deputy_absent(meeting=meeting)
    acting = next((a.person_id for a in recorded.values() if a.acting_chair), None)
    if offer_acting:
        initial["acting_chair"] = acting
    form = AttendanceForm(
        request.POST or None,
        initial=initial,
        members=members,
        substitutes=substitutes,
        acting_chairs=services.acting_chair_candidates(meeting=meeting) if offer_acting else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.attendance_record(
                actor=request.user,
                meeting=meeting,
                records=form.records(),
                acting_chair=form.chosen_acting_chair(),
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            if not offer_acting and services.chair_and_deputy_absent(meeting=meeting):
                messages.success(
                    request,
                    "Attendance recorded. The chair and the deputy chair were both absent: "
                    "record the acting chair the members chose.",
                )
                return redirect("governance:attendance", partnership=partnership, pk=meeting.pk)
            messages.success(request, "Attendance recorded.")
            return redirect(meeting.get_absolute_url() + "#attendance")
    return render(request, "governance/attendance_form.html", _page(meeting, form=form))


@login_required
@require_http_methods(["GET", "POST"])
def interest_create(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    meeting, _ = meeting_for(request, partnership, pk, need="manage")
    members = [m.person_id for m in services.meeting_members(meeting=meeting)]
    form = InterestForm(
        request.POST or None,
        items=meeting.items.all(),
        people=_people(meeting).filter(pk__in=members),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.interest_declare(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, "Interest recorded against the item.")
            return redirect(meeting.get_absolute_url() + f"#item-{form.cleaned_data['item'].pk}")
    return render(request, "governance/interest_form.html", _page(meeting, form=form))


@login_required
@require_http_methods(["GET", "POST"])
def action_create(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    meeting, _ = meeting_for(request, partnership, pk, need="manage")
    form = ActionForm(request.POST or None, items=meeting.items.all(), people=_people(meeting))
    if request.method == "POST" and form.is_valid():
        try:
            services.action_add(actor=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, "Action added.")
            return redirect(meeting.get_absolute_url() + "#actions")
    return render(request, "governance/action_form.html", _page(meeting, form=form))


@login_required
@require_POST
def action_done(request: HttpRequest, partnership: str, pk: int, action: int) -> HttpResponse:
    meeting, access = meeting_for(request, partnership, pk)
    act = meeting.actions.filter(pk=action).select_related("owner").first()
    if act is None or not (access.see_confidential and access.agenda):
        raise PermissionDenied
    if not (access.manage or act.owner_id == request.user.pk):
        raise PermissionDenied
    services.action_complete(actor=request.user, action=act)
    messages.success(request, "Action marked as done.")
    return redirect(request.POST.get("next") or meeting.get_absolute_url() + "#actions")


# --- minutes ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def minutes_edit(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    """The co-ordinator's draft, item by item: start it, save it, submit it to the chair."""
    meeting, _ = meeting_for(request, partnership, pk, need="manage")
    minutes = services.open_minutes(meeting=meeting)
    if minutes is None:
        if request.method == "POST" and "start" in request.POST:
            try:
                minutes = services.minutes_start(actor=request.user, meeting=meeting)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return redirect(meeting)
            return redirect("governance:minutes_edit", partnership=partnership, pk=meeting.pk)
        messages.error(request, "There is no draft of these minutes to edit.")
        return redirect(meeting)
    entries = list(minutes.entries.select_related("item").order_by("item__position", "item_id"))
    form = MinutesForm(request.POST or None, entries=entries)
    if request.method == "POST" and form.is_valid():
        try:
            # Saved and submitted together or not at all: a refusal or an outage never leaves
            # a draft saved that the person was told was not (the 503 page says "not saved").
            with transaction.atomic():
                services.minutes_save(actor=request.user, minutes=minutes, entries=form.entries())
                if "submit" in request.POST:
                    services.minutes_submit(actor=request.user, minutes=minutes)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            if "submit" in request.POST:
                messages.success(request, "Minutes sent to the chair for approval.")
                return redirect(meeting.get_absolute_url() + "#minutes")
            messages.success(request, "Draft saved.")
            return redirect("governance:minutes_edit", partnership=partnership, pk=meeting.pk)
    reviews = list(minutes.reviews.select_related("reviewer"))
    return render(
        request,
        "governance/minutes_form.html",
        _page(meeting, form=form, minutes=minutes, reviews=reviews),
    )


@login_required
@require_http_methods(["GET", "POST"])
def minutes_review(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    """The chair (or acting deputy) approves the minutes or returns them with comments."""
    meeting, access = meeting_for(request, partnership, pk)
    minutes = services.open_minutes(meeting=meeting)
    if (
        minutes is None
        or minutes.status != "submitted"
        or not services.acting_as(person=request.user, minutes=minutes)
    ):
        raise PermissionDenied
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome, comments = form.cleaned_data["outcome"], form.cleaned_data["comments"]
        try:
            if outcome == "approve":
                services.minutes_approve(actor=request.user, minutes=minutes, comments=comments)
            else:
                services.minutes_return(actor=request.user, minutes=minutes, comments=comments)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                "Minutes approved and published."
                if outcome == "approve"
                else "Minutes returned to the co-ordinator with your comments.",
            )
            return redirect(meeting.get_absolute_url() + "#minutes")
    return render(
        request,
        "governance/minutes_review.html",
        _page(
            meeting,
            form=form,
            minutes=minutes,
            entries=selectors.minute_entries(minutes=minutes, access=access),
            acting_as=services.acting_as(person=request.user, minutes=minutes),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def minutes_correct(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    meeting, _ = meeting_for(request, partnership, pk, need="manage")
    form = ReasonForm(request.POST or None, label="What does the correction change?")
    if request.method == "POST" and form.is_valid():
        try:
            services.minutes_correct(
                actor=request.user, meeting=meeting, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, "Correction started: edit it and submit it to the chair.")
            return redirect("governance:minutes_edit", partnership=partnership, pk=meeting.pk)
    return render(
        request,
        "governance/reason_form.html",
        _page(
            meeting,
            form=form,
            heading="Correct the approved minutes",
            button="Start a correction",
            hint="The approved minutes stay published until the chair approves the correction.",
        ),
    )
