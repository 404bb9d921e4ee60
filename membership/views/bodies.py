"""Pages about who sits where: a body's page, its seats and memberships, co-ordinator
appointments, and a member's own account."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from membership import selectors, services
from membership.forms import (
    AppointmentForm,
    MembershipEditForm,
    MembershipEndForm,
    MembershipForm,
    ProfileForm,
    SeatForm,
)
from membership.models import Appointment, Membership, Seat
from partnership import permissions as perms
from partnership.forms import CloseForm
from partnership.history import history_entries, history_of
from partnership.models import Body
from partnership.panels import account_panels
from partnership.selectors import body_tree, tree_walk


def _get_seat(body: Body, pk: int) -> Seat:
    try:
        return Seat.objects.select_related("body").get(body=body, pk=pk)
    except Seat.DoesNotExist as exc:
        raise Http404("No such seat") from exc


def get_membership(body: Body, pk: int) -> Membership:
    try:
        return Membership.objects.select_related("person", "seat", "organisation", "body").get(
            body=body, pk=pk
        )
    except Membership.DoesNotExist as exc:
        raise Http404("No such membership") from exc


# --- the partnership's tree ---------------------------------------------------------------


def structure(request: HttpRequest, partnership: str) -> HttpResponse:
    p = perms.get_partnership_or_404(partnership)
    tree = body_tree(partnership=p)
    overview = selectors.body_overview(partnership=p)
    for node in tree_walk(tree):
        node.info = overview.get(node.body.pk, selectors.BodyOverview(missing_sectors=[]))
    return render(
        request,
        "partnership/structure.html",
        {
            "partnership": p,
            "tree": tree,
            "can_add_body": perms.manages_anything(request.user, p),
            "can_manage_partnership": perms.can_manage_partnership(request.user, p),
        },
    )


# --- a body's page -----------------------------------------------------------------------------


def body_detail(request: HttpRequest, partnership: str, body: str) -> HttpResponse:
    b = perms.get_body_or_404(partnership, body)
    can_manage = perms.can_manage_body(request.user, b)
    current = list(selectors.body_memberships(body=b))
    context = {
        "partnership": b.partnership,
        "body": b,
        "memberships": current,
        "children": list(b.children.order_by("name")),
        "seats": selectors.seat_summaries(body=b, memberships=current),
        "missing_sectors": selectors.missing_sectors(memberships=current),
        "can_manage": can_manage,
        "is_member": any(m.person_id == request.user.pk for m in current),
        "elections": selectors.recent_elections(body=b),
    }
    if can_manage:
        context["past_memberships"] = list(selectors.body_memberships(body=b, current=False))
        context["history"] = history_entries(b)
    return render(request, "membership/body_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def body_close(request: HttpRequest, partnership: str, body: str) -> HttpResponse:
    b = perms.get_body_or_404(partnership, body)
    perms.require(perms.can_manage_body(request.user, b))
    form = CloseForm(request.POST or None, initial={"closed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.body_close(
                actor=request.user,
                body=b,
                closed_on=form.cleaned_data["closed_on"],
                reason=form.cleaned_data["closure_reason"],
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, f"{b} has been closed and its memberships ended.")
            return redirect(b)
    return render(
        request,
        "membership/body_close.html",
        {"partnership": b.partnership, "body": b, "form": form},
    )


# --- seats -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def seat_create(request: HttpRequest, partnership: str, body: str) -> HttpResponse:
    b = perms.get_body_or_404(partnership, body)
    perms.require(perms.can_manage_body(request.user, b))
    form = SeatForm(request.POST or None, body=b, initial={"count": 1, "voting": "True"})
    if request.method == "POST" and form.is_valid():
        try:
            seat = services.seat_create(actor=request.user, body=b, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, f"The seat '{seat.name}' has been added.")
            return redirect(b)
    return render(
        request,
        "membership/seat_form.html",
        {"partnership": b.partnership, "body": b, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def seat_edit(request: HttpRequest, partnership: str, body: str, pk: int) -> HttpResponse:
    b = perms.get_body_or_404(partnership, body)
    seat = _get_seat(b, pk)
    perms.require(perms.can_manage_body(request.user, b))
    form = SeatForm(request.POST or None, body=b, initial=SeatForm.initial_from(seat))
    if request.method == "POST" and form.is_valid():
        try:
            services.seat_update(actor=request.user, seat=seat, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, f"The seat '{form.cleaned_data['name']}' has been updated.")
            return redirect(b)
    return render(
        request,
        "membership/seat_form.html",
        {
            "partnership": b.partnership,
            "body": b,
            "seat": seat,
            "form": form,
            "history": history_entries(seat),
        },
    )


# --- memberships -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def membership_create(request: HttpRequest, partnership: str, body: str) -> HttpResponse:
    b = perms.get_body_or_404(partnership, body)
    perms.require(perms.can_manage_body(request.user, b))
    initial = {"starts_on": timezone.localdate()}
    if request.GET.get("seat", "").isdigit():
        initial["seat"] = int(request.GET["seat"])
    form = MembershipForm(request.POST or None, body=b, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # The new account and the appointment succeed or fail together.
            with transaction.atomic():
                person = data["person"] or services.person_find_or_create(
                    actor=request.user,
                    email=data["new_email"],
                    full_name=data["new_full_name"],
                    partnership=b.partnership,
                )
                membership = services.membership_create(
                    actor=request.user,
                    body=b,
                    seat=data["seat"],
                    person=person,
                    role=data["role"],
                    organisation=data["organisation"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                )
        except ValidationError as exc:
            # The person's details are asked for as new_full_name and new_email on this form.
            form.add_service_error(exc, full_name="new_full_name", email="new_email")
        else:
            messages.success(
                request, f"{membership.person} has been appointed to '{membership.seat.name}'."
            )
            return redirect(b)
    return render(
        request,
        "membership/membership_form.html",
        {"partnership": b.partnership, "body": b, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def membership_detail(request: HttpRequest, partnership: str, body: str, pk: int) -> HttpResponse:
    b = perms.get_body_or_404(partnership, body)
    membership = get_membership(b, pk)
    perms.require(perms.can_manage_body(request.user, b))
    initial = {
        "role": membership.role,
        "organisation": membership.organisation_id,
        "starts_on": membership.starts_on,
        "ends_on": membership.ends_on,
    }
    form = MembershipEditForm(request.POST or None, body=b, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_update(
                actor=request.user, membership=membership, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, f"{membership.person}'s membership has been updated.")
            return redirect(b)
    return render(
        request,
        "membership/membership_detail.html",
        {
            "partnership": b.partnership,
            "body": b,
            "membership": membership,
            "form": form,
            "history": history_entries(membership),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def membership_end(request: HttpRequest, partnership: str, body: str, pk: int) -> HttpResponse:
    b = perms.get_body_or_404(partnership, body)
    membership = get_membership(b, pk)
    perms.require(perms.can_manage_body(request.user, b))
    # The earliest end a membership can have is the day after it starts.
    earliest = max(timezone.localdate(), membership.starts_on + timedelta(days=1))
    form = MembershipEndForm(request.POST or None, initial={"ends_on": earliest})
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_end(
                actor=request.user,
                membership=membership,
                ends_on=form.cleaned_data["ends_on"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, f"{membership.person}'s membership has been ended.")
            return redirect(b)
    return render(
        request,
        "membership/membership_end.html",
        {"partnership": b.partnership, "body": b, "membership": membership, "form": form},
    )


# --- co-ordinator appointments -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def appointment_list(request: HttpRequest, partnership: str) -> HttpResponse:
    p = perms.get_partnership_or_404(partnership)
    perms.require(perms.can_manage_partnership(request.user, p))
    form = AppointmentForm(
        request.POST or None, partnership=p, initial={"starts_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                person = services.person_find_or_create(
                    actor=request.user,
                    email=data["email"],
                    full_name=data["full_name"],
                    partnership=p,
                )
                appointment = services.appointment_create(
                    actor=request.user,
                    person=person,
                    partnership=p,
                    body=data["body"],
                    role=data["role"],
                    starts_on=data["starts_on"],
                )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, f"{appointment} has been appointed.")
            return redirect("membership:appointment_list", partnership=p.slug)
    return render(
        request,
        "membership/appointment_list.html",
        {
            "partnership": p,
            "appointments": selectors.partnership_appointments(partnership=p),
            "form": form,
            "today": timezone.localdate(),
            "history": history_of(Appointment, subject="person", partnership=p),
        },
    )


@login_required
@require_POST
def appointment_end(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    p = perms.get_partnership_or_404(partnership)
    try:
        appointment = Appointment.objects.select_related("person").get(partnership=p, pk=pk)
    except Appointment.DoesNotExist as exc:
        raise Http404("No such appointment") from exc
    perms.require(perms.can_manage_partnership(request.user, p))
    if appointment.person_id == request.user.pk:
        messages.error(request, "You cannot end your own appointment: ask another co-ordinator.")
    else:
        try:
            services.appointment_end(
                actor=request.user, appointment=appointment, ends_on=timezone.localdate()
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{appointment.person}'s appointment has been ended.")
    return redirect("membership:appointment_list", partnership=p.slug)


# --- a member's own account ----------------------------------------------------------------------


@login_required
def account(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "membership/account.html",
        {
            "memberships": selectors.person_memberships(person=request.user),
            "appointments": selectors.person_appointments(person=request.user),
            "agreements": selectors.person_agreements(person=request.user),
            "notices": list(request.user.notices.all()[:10]),
            "today": timezone.localdate(),
            "panels": account_panels(request),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm(
        request.POST or None, initial={f: getattr(user, f) for f in ProfileForm.base_fields}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_update(actor=user, user=user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "Your contact details have been saved.")
            return redirect("account:home")
    return render(
        request, "membership/profile_form.html", {"form": form, "history": history_entries(user)}
    )
