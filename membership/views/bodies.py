"""Pages about who sits where: a body's page, its seats and memberships, co-ordinator
appointments, and a member's own account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import BooleanField, Case, Count, ExpressionWrapper, F, Q, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
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
from membership.forms_restructure import StructureDateForm
from membership.models import NON_VOTING_ROLES, Appointment, Membership, Role, Seat
from membership.permissions import can_keep_training
from membership.selectors_structure import body_story, structure_on
from partnership import permissions as perms
from partnership.forms import CloseForm
from partnership.history import history_entries, history_of
from partnership.models import Body, Sector
from partnership.panels import account_panels, body_panels
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
    # "Show the structure on" a date (issue 16): the tree as it stood then, names as they were.
    sent = any(f"on_{part}" in request.GET for part in ("day", "month", "year"))
    date_form = StructureDateForm(request.GET if sent else None)
    as_of = None
    if date_form.is_bound and date_form.is_valid() and date_form.cleaned_data["on"]:
        as_of = structure_on(partnership=p, on=date_form.cleaned_data["on"])
    context = {
        "partnership": p,
        "form": date_form,
        "as_of": as_of,
        "can_add_body": perms.manages_anything(request.user, p),
        "can_manage_partnership": perms.can_manage_partnership(request.user, p),
    }
    if as_of is not None:
        return render(request, "partnership/structure.html", {**context, "tree": as_of.tree})
    tree = body_tree(partnership=p)
    overview = selectors.body_overview(partnership=p)
    # Each body's page (``node.url``): the route reversed once, not once a body.
    head, tail = reverse("membership:body", kwargs={"partnership": p.slug, "body": "0"}).rsplit(
        "/0/", 1
    )
    for node in tree_walk(tree):
        node.info = overview.get(node.body.pk, selectors.BodyOverview(missing_sectors=[]))
        node.url = f"{head}/{node.body.slug}/{tail}"
    return render(request, "partnership/structure.html", {**context, "tree": tree})


# --- a body's page -----------------------------------------------------------------------------


# The body's page lists members 50 at a time (issue 14): ?page= for the current members and,
# for co-ordinators, ?past= for the past and future ones, so paging one keeps the other.
MEMBERS_PAGE_SIZE = 50
PAST_PARAM = "past"

# What the members tables show of each membership (the current members' table and, for
# co-ordinators, the past and future members'): loaded alone, not the people's whole rows.
MEMBER_ROW_FIELDS = (
    "role",
    "starts_on",
    "ends_on",
    "end_reason",
    "person__full_name",
    "person__job_title",
    "person__email",
    "person__phone",
    "person__contact_public",
    "organisation__name",
    "seat__name",
    "seat__voting",
)


@dataclass
class _Seats:
    summaries: list[selectors.SeatSummary]
    members: int  # current members in all
    others: int  # past and future members in all (counted only for co-ordinators)
    missing_sectors: list[str]
    has_viewer: bool  # the viewer holds one of the places today


# What the seats table shows of each seat: its nominator by name only.
SEAT_FIELDS = (
    "name",
    "count",
    "sector",
    "voting",
    "nominating_organisation__name",
    "nominating_body__name",
    "office_role",
    "office_body__name",
)


def _seats(body: Body, viewer_id: int | None, *, others: bool = True) -> _Seats:
    """The body's seats with what the page says of their holders, counted in the database in
    one query however many members: the places held today per seat (and so the members' count,
    and, when ``others``, the past and future members', as every membership holds a seat of its
    own body: the membership services refuse any other); the sectors present, by
    selectors.missing_sectors' rule (advisers, observers and co-ordinators do not count; a
    member's sector is their organisation's, else the seat's); and whether the viewer sits on
    the body today (fellow members see each other's contact details)."""
    today = timezone.localdate()
    held = Q(memberships__starts_on__lte=today) & (
        Q(memberships__ends_on__isnull=True) | Q(memberships__ends_on__gt=today)
    )
    # Each membership's part is worked out once, as aliases the counts filter on, rather than
    # each count resolving the same conditions and joins again (the page's costliest query to
    # build); the counts the page will not show (the past members' but for co-ordinators, the
    # viewer's place but for a signed-in viewer) are not asked for.
    seats = Seat.objects.filter(body=body).alias(
        m_held=ExpressionWrapper(held, output_field=BooleanField()),
        m_voting=ExpressionWrapper(
            ~Q(memberships__role__in=NON_VOTING_ROLES), output_field=BooleanField()
        ),
        m_sector=Case(
            When(memberships__organisation__isnull=True, then=F("sector")),
            default=F("memberships__organisation__sector"),
        ),
    )
    counts = {"held": Count("memberships", filter=Q(m_held=True))}
    for value in Sector.values:
        counts[f"sector_{value}"] = Count(
            "memberships", filter=Q(m_held=True, m_voting=True, m_sector=value)
        )
    if others:
        counts["others"] = Count("memberships", filter=Q(m_held=False))
    if viewer_id:
        counts["mine"] = Count(
            "memberships", filter=Q(m_held=True, memberships__person_id=viewer_id)
        )
    seats = list(
        seats.select_related("nominating_organisation", "nominating_body", "office_body")
        .only(*SEAT_FIELDS)
        .annotate(**counts)
        .order_by("name")
    )
    return _Seats(
        summaries=[selectors.SeatSummary(seat=s, held=s.held) for s in seats],
        members=sum(s.held for s in seats),
        others=sum(s.others for s in seats) if others else 0,
        missing_sectors=[
            label
            for value, label in Sector.choices
            if not any(getattr(s, f"sector_{value}") for s in seats)
        ],
        has_viewer=bool(viewer_id) and any(s.mine for s in seats),
    )


def _members_page(request: HttpRequest, memberships, *, param: str, count: int | None = None):
    """The ``param`` page of ``memberships`` (an ordered queryset), each with its role's name
    (``role_label``: the choices read once a page, where get_role_display builds them again for
    every row), with what the pagination component needs; the link keeps the other table's
    page."""
    paginator = Paginator(memberships, MEMBERS_PAGE_SIZE)
    if count is not None:
        paginator.count = count
    page = paginator.get_page(request.GET.get(param))
    page.object_list = list(page.object_list)
    roles = dict(Role.choices)
    for m in page.object_list:
        m.role_label = roles.get(m.role, m.role)
    keep = request.GET.copy()
    keep.pop(param, None)
    return {
        "page": page,
        "page_range": list(paginator.get_elided_page_range(page.number, on_each_side=2)),
        "ellipsis": Paginator.ELLIPSIS,
        "link": f"?{keep.urlencode()}&{param}=" if keep else f"?{param}=",
    }


def _children(body: Body) -> list[dict]:
    """The bodies reporting to ``body``: what the page shows of them (``name``,
    ``closed_on``) and each one's page (``url``), the route reversed once, not once a body."""
    head, tail = reverse(
        "membership:body", kwargs={"partnership": body.partnership.slug, "body": "0"}
    ).rsplit("/0/", 1)
    children = list(body.children.order_by("name").values("name", "slug", "closed_on"))
    for child in children:
        child["url"] = f"{head}/{child['slug']}/{tail}"
    return children


def body_detail(request: HttpRequest, partnership: str, body: str) -> HttpResponse:
    b = perms.get_body_or_404(partnership, body)
    can_manage = perms.can_manage_body(request.user, b)
    seats = _seats(b, request.user.pk, others=can_manage)
    members = _members_page(
        request,
        # Paging needs a total order: the selector's, with the id to break ties of name.
        selectors.body_memberships(body=b)
        .only(*MEMBER_ROW_FIELDS)
        .order_by("role", "person__full_name", "pk"),
        param="page",
        count=seats.members,
    )
    context = {
        "partnership": b.partnership,
        "body": b,
        "members": members,
        "children": _children(b),
        "seats": seats.summaries,
        "missing_sectors": seats.missing_sectors,
        "can_manage": can_manage,
        "is_member": seats.has_viewer,
        "elections": selectors.recent_elections(body=b),
        # What the body was and what became of it: its banner and timeline (one query).
        "story": body_story(body=b),
        "can_restructure": perms.can_manage_partnership(request.user, b.partnership),
        # Warnings other apps add for those who manage the body (a short meetings schedule).
        "body_panels": body_panels(request, b, can_manage=can_manage),
    }
    if can_manage:
        context["past"] = _members_page(
            request,
            # Not even built when the seats' counts say there are none.
            selectors.body_memberships(body=b, current=False)
            .only(*MEMBER_ROW_FIELDS)
            .order_by("-starts_on", "person__full_name", "pk")
            if seats.others
            else [],
            param=PAST_PARAM,
            count=seats.others,
        )
        context["history"] = history_entries(b)
        # Each shown membership's page (``detail_url``): the route reversed once, not once a
        # row (a hundred reversals on a full page of each table).
        head, tail = reverse(
            "membership:membership_detail",
            kwargs={"partnership": b.partnership.slug, "body": b.slug, "pk": 0},
        ).rsplit("/0/", 1)
        for m in [*members["page"].object_list, *context["past"]["page"].object_list]:
            m.detail_url = f"{head}/{m.pk}/{tail}"
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
            # A person's training is read by those who may keep it: not once they have left
            # every body the reader co-ordinates (this membership may have ended).
            "can_see_training": can_keep_training(request.user, membership.person),
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
