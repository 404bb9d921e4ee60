"""A meeting's page and the co-ordinator's pages that build it: scheduling, the agenda,
papers and circulation. Every view fetches and authorises through governance.selectors:
a meeting the user may not see is a 404, an action they may not take a 403."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from governance import selectors, services
from governance.forms import AgendaItemForm, MeetingCreateForm, MeetingForm, PaperForm, ReasonForm
from governance.models import AgendaItem, ItemKind, Meeting, MeetingStatus, MinutesStatus, Paper
from governance.selectors import MeetingAccess
from governance.selectors.library import paper_versions_visible
from membership.models import User
from membership.selectors import body_coordinators
from partnership import permissions as perms
from partnership.history import history_entries


def meeting_for(
    request: HttpRequest, partnership: str, pk: int, *, need: str = ""
) -> tuple[Meeting, MeetingAccess]:
    """The meeting, if the user may see it (else 404), and may do ``need`` (else 403)."""
    meeting, access = selectors.get_meeting_or_404(request.user, partnership, pk)
    if need and not getattr(access, need):
        raise PermissionDenied
    return meeting, access


def _item(meeting: Meeting, access: MeetingAccess, pk: int) -> AgendaItem:
    item = selectors.items_visible(meeting.items.all(), access).filter(pk=pk).first()
    if item is None:
        raise Http404("No such item")
    item.meeting = meeting
    return item


def _paper(meeting: Meeting, access: MeetingAccess, pk: int) -> Paper:
    paper = (
        selectors.papers_visible(Paper.objects.filter(item__meeting=meeting), access)
        .select_related("item", "owner", "late_accepted_by")
        .filter(pk=pk)
        .first()
    )
    if paper is None:
        raise Http404("No such paper")
    paper.item.meeting = meeting
    return paper


def _people(meeting: Meeting):
    """Who a paper, action or interest can be assigned to: members on the day and the body's
    co-ordinators."""
    ids = {m.person_id for m in services.meeting_members(meeting=meeting)}
    ids |= {p.pk for p in body_coordinators(body=meeting.body)}
    return User.objects.filter(pk__in=ids).order_by("full_name")


# --- the meeting's page ----------------------------------------------------------------------


ITEM_LINKS = ("item_edit", "item_move", "paper_create", "paper_supplementary_create")


def _item_links(meeting: Meeting, items: list[AgendaItem]) -> None:
    """Set each item's links for the co-ordinator's actions (``item_edit_url`` and so on):
    each route is reversed once and the items' numbers put in, rather than reversed once an
    item and a link (a 20-item agenda took 80 reversals, the most of its page's rendering)."""
    kwargs = {"partnership": meeting.body.partnership.slug, "pk": meeting.pk, "item": 0}
    for name in ITEM_LINKS:
        # The item is the route's last number: split at it.
        head, tail = reverse(f"governance:{name}", kwargs=kwargs).rsplit("/0/", 1)
        for item in items:
            setattr(item, f"{name}_url", f"{head}/{item.pk}/{tail}")


def meeting_detail(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    meeting, access = meeting_for(request, partnership, pk)
    user = request.user
    agenda = selectors.agenda(meeting=meeting, access=access)
    # The co-ordinators and the chair see who has a registered interest in each item (the
    # agenda's own items, so they are not read twice).
    flags = {}
    if access.see_drafts:
        flags = selectors.interest_flag_lines(meeting=meeting, items=agenda.items)
    for item in agenda.items:
        item.interest_flags = flags.get(item)
    if access.manage:
        _item_links(meeting, agenda.items)
    minutes = selectors.minutes_visible(meeting=meeting, access=access)
    shown = minutes[0] if minutes else None
    meeting.minutes_approved = any(m.status == MinutesStatus.APPROVED for m in minutes)
    now = timezone.now()
    # "Send your apologies" is offered to a member before a published meeting only: the
    # question is not asked of anyone else.
    is_member = (
        user.is_authenticated
        and meeting.status == MeetingStatus.PUBLISHED
        and meeting.starts_at > now
        and services.sits_on_body(meeting=meeting, person=user)
    )
    # Before its agenda is published, a meeting's attendance (apologies sent) is for those
    # who run the body only, as its agenda is.
    attendance = (
        list(meeting.attendance.select_related("person", "substitute")) if access.agenda else []
    )
    today = timezone.localdate()
    papers = [p for item in agenda.items for p in item.visible_papers]
    context = {
        "partnership": meeting.body.partnership,
        "body": meeting.body,
        "meeting": meeting,
        "access": access,
        "agenda": agenda,
        "now": now,
        "stage": selectors.meeting_stage(meeting, today=today),
        # What the co-ordinator may do now; the rest is not offered (the services refuse it).
        "held": meeting.held_on <= today,
        "can_publish": any(item.kind == ItemKind.BUSINESS for item in agenda.items),
        "can_circulate": any(p.file and not p.circulated_at for p in papers),
        # Once papers are out, one more is a supplementary paper, accepted late by the chair.
        "can_add_supplementary": access.manage
        and meeting.status == MeetingStatus.PUBLISHED
        and meeting.held_on >= today
        and any(p.circulated_at for p in papers),
        "minutes_versions": minutes,
        "minutes": shown,
        "entries": selectors.minute_entries(minutes=shown, access=access) if shown else [],
        "can_approve": bool(
            shown
            and shown.status == "submitted"
            and user.is_authenticated
            and services.acting_as(person=user, minutes=shown)
        )
        # The acting chair chosen at the meeting sees no drafts, yet reviews its minutes.
        or services.acting_chair_may_review(meeting=meeting, person=user, attendance=attendance),
        "my_attendance": next((a for a in attendance if a.person_id == user.pk), None),
        "is_member": is_member,
        "attendance": attendance if access.see_confidential or shown else [],
        "actions": list(
            meeting.actions.select_related("owner", "item")
            if access.see_confidential and access.agenda
            else []
        ),
        "history": history_entries(meeting) if access.manage else [],
        "interests_url": reverse(
            "governance:body_interests",
            kwargs={"partnership": meeting.body.partnership.slug, "body": meeting.body.slug},
        ),
    }
    return render(request, "governance/meeting_detail.html", context)


# --- scheduling -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest, partnership: str, body: str) -> HttpResponse:
    b = perms.get_body_or_404(partnership, body)
    perms.require(perms.can_manage_body(request.user, b))
    form = MeetingCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(actor=request.user, body=b, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, "Meeting scheduled. Now add the items of business.")
            return redirect(meeting)
    return render(
        request,
        "governance/meeting_form.html",
        {"partnership": b.partnership, "body": b, "form": form, "meeting": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    meeting, _ = meeting_for(request, partnership, pk, need="manage")
    initial = {f: getattr(meeting, f) for f in MeetingForm.base_fields}
    form = MeetingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(actor=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, "Meeting details saved.")
            return redirect(meeting)
    return render(
        request,
        "governance/meeting_form.html",
        {
            "partnership": meeting.body.partnership,
            "body": meeting.body,
            "form": form,
            "meeting": meeting,
        },
    )


@login_required
@require_POST
def meeting_publish(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    meeting, _ = meeting_for(request, partnership, pk, need="manage")
    try:
        services.meeting_publish(actor=request.user, meeting=meeting)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Agenda published. The public can now see it.")
    return redirect(meeting)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_cancel(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    meeting, _ = meeting_for(request, partnership, pk, need="manage")
    form = ReasonForm(request.POST or None, label="Why is the meeting cancelled?")
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_cancel(
                actor=request.user, meeting=meeting, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, "Meeting cancelled.")
            return redirect(meeting)
    return render(
        request,
        "governance/meeting_cancel.html",
        {"partnership": meeting.body.partnership, "meeting": meeting, "form": form},
    )


# --- the agenda ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def item_create(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    return _item_form(request, partnership, pk, None)


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, partnership: str, pk: int, item: int) -> HttpResponse:
    return _item_form(request, partnership, pk, item)


def _item_form(request, partnership, pk, item_pk) -> HttpResponse:
    meeting, access = meeting_for(request, partnership, pk, need="manage")
    item = _item(meeting, access, item_pk) if item_pk else None
    initial = None
    if item:
        initial = {f: getattr(item, f) for f in AgendaItemForm.base_fields}
        initial["organisations"] = list(item.organisations.all())
        initial["bodies"] = list(item.bodies.all())
    p = meeting.body.partnership
    form = AgendaItemForm(
        request.POST or None,
        initial=initial,
        kind=item.kind if item else ItemKind.BUSINESS,
        organisations=p.organisations.order_by("name"),
        bodies=p.bodies.open().order_by("name"),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if item:
                services.item_update(actor=request.user, item=item, **data)
            else:
                item = services.item_add(actor=request.user, meeting=meeting, **data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Item saved: {item.title}")
            return redirect(meeting.get_absolute_url() + f"#item-{item.pk}")
    return render(
        request,
        "governance/item_form.html",
        {
            "partnership": meeting.body.partnership,
            "meeting": meeting,
            "item": item,
            "form": form,
            "history": history_entries(item) if item else [],
        },
    )


@login_required
@require_POST
def item_move(request: HttpRequest, partnership: str, pk: int, item: int) -> HttpResponse:
    meeting, access = meeting_for(request, partnership, pk, need="manage")
    moved = _item(meeting, access, item)
    services.item_move(actor=request.user, item=moved, up=request.POST.get("direction") == "up")
    return redirect(meeting.get_absolute_url() + f"#item-{moved.pk}")


# --- papers -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def paper_create(request: HttpRequest, partnership: str, pk: int, item: int) -> HttpResponse:
    meeting, access = meeting_for(request, partnership, pk, need="manage")
    return _paper_form(request, meeting, _item(meeting, access, item), None)


@login_required
@require_http_methods(["GET", "POST"])
def paper_edit(request: HttpRequest, partnership: str, pk: int, paper: int) -> HttpResponse:
    meeting, access = meeting_for(request, partnership, pk, need="manage")
    p = _paper(meeting, access, paper)
    return _paper_form(request, meeting, p.item, p)


def _paper_form(request, meeting: Meeting, item: AgendaItem, paper: Paper | None):
    fields = ["title", "owner", "main_issues", "decision_required", "confidential"]
    initial = {f: getattr(paper, f) for f in [*fields, "confidential_reason"]} if paper else None
    if paper is None:
        initial = {"decision_required": item.decision_required}
    form = PaperForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        people=_people(meeting),
        replacing=bool(paper and paper.file),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        upload = data.pop("upload")
        if upload:
            # Read at most one byte past the limit: enough to know it is too big.
            from django.conf import settings

            upload = (upload.name, upload.read(settings.PAPER_MAX_BYTES + 1))
        try:
            if paper:
                services.paper_update(actor=request.user, paper=paper, upload=upload, **data)
            else:
                paper = services.paper_add(actor=request.user, item=item, upload=upload, **data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Paper saved: {paper.title}")
            return redirect(meeting.get_absolute_url() + f"#paper-{paper.pk}")
    return render(
        request,
        "governance/paper_form.html",
        {
            "partnership": meeting.body.partnership,
            "meeting": meeting,
            "item": item,
            "paper": paper,
            "form": form,
            "history": history_entries(paper) if paper else [],
        },
    )


def paper_detail(request: HttpRequest, partnership: str, pk: int, paper: int) -> HttpResponse:
    meeting, access = meeting_for(request, partnership, pk)
    p = _paper(meeting, access, paper)
    return render(
        request,
        "governance/paper_detail.html",
        {
            "partnership": meeting.body.partnership,
            "meeting": meeting,
            "paper": p,
            "access": access,
            # Its earlier files, kept when it was replaced (governance.selectors.library).
            "versions": paper_versions_visible(p, access),
        },
    )


def paper_file(request: HttpRequest, partnership: str, pk: int, paper: int) -> FileResponse:
    meeting, access = meeting_for(request, partnership, pk)
    p = _paper(meeting, access, paper)
    if not p.file:
        raise Http404("The paper has not been uploaded yet")
    response = FileResponse(
        p.file.open("rb"),
        as_attachment=p.file_type != "pdf",
        filename=p.file_name or f"paper-{p.pk}.{p.file_type}",
        content_type="application/pdf" if p.file_type == "pdf" else None,
    )
    # Confidential papers must not sit in shared caches; nothing here should be sniffed.
    response["Cache-Control"] = "private, no-store" if p.is_confidential else "private"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def papers_circulate(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    meeting, _ = meeting_for(request, partnership, pk, need="manage")
    try:
        sent = services.papers_circulate(actor=request.user, meeting=meeting)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"{len(sent)} paper{'s' if len(sent) != 1 else ''} sent to members by e-mail "
            "and in the app.",
        )
    return redirect(meeting)
