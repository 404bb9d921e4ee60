"""The registers of interests and of gifts and hospitality, from the member's side: the hub,
their own entries (declaring, updating, ending, confirming the year, gifts), an interest from
a meeting entered in one step, and the governance lead's settings. A body's registers, rulings
and exports are in body_registers.py. Who sees what is decided in governance.selectors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from governance import selectors, services
from governance.forms import (
    DeclarationEndForm,
    DeclarationForm,
    DeclarationUpdateForm,
    GiftForm,
    RegisterSettingsForm,
)
from governance.models import Declaration, DeclaredInterest
from governance.views.meetings import meeting_for
from membership.models import Membership
from membership.selectors import partnership_members
from partnership import permissions as perms
from partnership.history import history_entries
from partnership.models import Partnership


def _mine_url(partnership: Partnership) -> str:
    return reverse("governance:my_registers", kwargs={"partnership": partnership.slug})


def _declaration_for(request, partnership: str, pk: int, *, own: bool = False):
    """The declaration, if the user may see it (else 404); ``own``: only its declarant may
    act (else 403)."""
    d = (
        Declaration.objects.select_related(
            "partnership", "person", "organisation", "body", "superseded_by", "supersedes"
        )
        .filter(partnership__slug=partnership, pk=pk)
        .first()
    )
    access = selectors.declaration_access(request.user, d) if d else None
    if access is None:
        raise Http404("No such declaration")
    if own and d.person_id != request.user.pk:
        raise PermissionDenied
    return d, access


def _declaration_form_args(p: Partnership) -> dict:
    return {
        "organisations": p.organisations.order_by("name"),
        "bodies": p.bodies.open().order_by("name"),
    }


# --- the hub, and a member's own entries --------------------------------------------------------


def registers_home(request: HttpRequest, partnership: str) -> HttpResponse:
    """Every body's registers, for anyone; the way to one's own entries for members."""
    p = perms.get_partnership_or_404(partnership)
    user = request.user
    return render(
        request,
        "governance/registers/home.html",
        {
            "partnership": p,
            "bodies": p.bodies.open().order_by("name"),
            "settings": selectors.register_settings(partnership=p),
            "is_member": user.is_authenticated
            and partnership_members(partnership=p).filter(pk=user.pk).exists(),
            "is_lead": perms.can_lead_governance(user, p),
        },
    )


@login_required
def my_registers_any(request: HttpRequest) -> HttpResponse:
    """From the account page: straight to one's entries when one sits in one partnership."""
    ids = Membership.objects.current().filter(person=request.user).values("body__partnership_id")
    partnerships = list(Partnership.objects.filter(pk__in=ids).order_by("name"))
    if len(partnerships) == 1:
        return redirect(_mine_url(partnerships[0]))
    return render(
        request, "governance/registers/choose_partnership.html", {"partnerships": partnerships}
    )


@login_required
def my_registers(request: HttpRequest, partnership: str) -> HttpResponse:
    p = perms.get_partnership_or_404(partnership)
    register = selectors.person_register(person=request.user, partnership=p)
    return render(
        request,
        "governance/registers/mine.html",
        {"partnership": p, "register": register, "today": timezone.localdate()},
    )


@login_required
@require_POST
def register_confirm(request: HttpRequest, partnership: str) -> HttpResponse:
    p = perms.get_partnership_or_404(partnership)
    try:
        confirmation = services.register_confirm(
            actor=request.user, partnership=p, person=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        what = "a nil return" if confirmation.nil_return else "your entries are complete"
        messages.success(request, f"Thank you: you have confirmed {what} for this year.")
    return redirect(_mine_url(p))


# --- interests ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def declaration_create(request: HttpRequest, partnership: str) -> HttpResponse:
    p = perms.get_partnership_or_404(partnership)
    form = DeclarationForm(request.POST or None, **_declaration_form_args(p))
    if request.method == "POST" and form.is_valid():
        try:
            d = services.declaration_create(
                actor=request.user, partnership=p, person=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, "Interest added to the register. The chair will rule on it.")
            return redirect("governance:declaration", partnership=p.slug, pk=d.pk)
    return render(
        request,
        "governance/registers/form.html",
        {
            "partnership": p,
            "form": form,
            "heading": "Declare an interest",
            "button": "Add to the register",
            "back": _mine_url(p),
        },
    )


def _versions(d: Declaration) -> list[Declaration]:
    """Every version of the interest, newest first (a short chain: one query per step)."""
    newest = d
    while newest.is_superseded:
        newest = newest.superseded_by
    chain, current = [], newest
    while current is not None:
        chain.append(current)
        current = current.supersedes if current.supersedes_id else None
    return chain


@login_required
def declaration_detail(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    d, access = _declaration_for(request, partnership, pk)
    user = request.user
    rulings = list(d.rulings.select_related("body", "ruled_by", "settled_by"))
    ruled = {r.body_id for r in rulings}
    bodies = selectors.register_bodies(declaration=d)
    can_rule_on = [
        b
        for b in bodies
        if b.pk not in ruled and perms.can_chair_body(user, b) and d.person_id != user.pk
    ]
    return render(
        request,
        "governance/registers/declaration.html",
        {
            "partnership": d.partnership,
            "d": d,
            "own": d.person_id == user.pk,
            "live": d.is_live(),
            "access": access,
            "rulings": rulings,
            "bodies": bodies,
            "can_rule_on": can_rule_on,
            "versions": _versions(d),
            "history": history_entries(d),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def declaration_update(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    d, _ = _declaration_for(request, partnership, pk, own=True)
    fields = [f for f in DeclarationUpdateForm.base_fields if f not in ("changed_on", "starts_on")]
    initial = {f: getattr(d, f) for f in fields if f != "change_note"}
    initial["changed_on"] = timezone.localdate()
    form = DeclarationUpdateForm(
        request.POST or None, initial=initial, **_declaration_form_args(d.partnership)
    )
    if request.method == "POST" and form.is_valid():
        try:
            new = services.declaration_update(
                actor=request.user, declaration=d, **form.cleaned_data
            )
        except ValidationError as error:
            # The new version's "held from" is the date circumstances changed.
            form.add_service_error(error, starts_on="changed_on")
        else:
            messages.success(request, "Interest updated. The earlier version is kept.")
            return redirect("governance:declaration", partnership=partnership, pk=new.pk)
    return render(
        request,
        "governance/registers/form.html",
        {
            "partnership": d.partnership,
            "form": form,
            "heading": "Update an interest",
            "intro": "When circumstances change, the new version replaces this one from the "
            "date they changed. The earlier version stays in the register's history, and the "
            "chair rules on the new one.",
            "button": "Save the new version",
            "back": reverse(
                "governance:declaration", kwargs={"partnership": partnership, "pk": pk}
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def declaration_end(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    d, _ = _declaration_for(request, partnership, pk, own=True)
    form = DeclarationEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.declaration_end(
                actor=request.user,
                declaration=d,
                ended_on=form.cleaned_data["ended_on"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, "Interest ended. It stays in the register as ended.")
            return redirect("governance:declaration", partnership=partnership, pk=pk)
    return render(
        request,
        "governance/registers/form.html",
        {
            "partnership": d.partnership,
            "form": form,
            "heading": "End an interest",
            "caption": str(d),
            "button": "End the interest",
            "back": reverse(
                "governance:declaration", kwargs={"partnership": partnership, "pk": pk}
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def declaration_from_meeting(
    request: HttpRequest, partnership: str, pk: int, interest: int
) -> HttpResponse:
    """An interest declared at a meeting, entered in the register in one step by its
    declarant or the body's co-ordinator."""
    meeting, access = meeting_for(request, partnership, pk)
    declared = (
        DeclaredInterest.objects.filter(item__meeting=meeting, pk=interest)
        .select_related("person", "item")
        .first()
    )
    if declared is None or not (access.see_confidential and access.agenda):
        raise Http404("No such interest")
    if not (access.manage or declared.person_id == request.user.pk):
        raise PermissionDenied
    p = meeting.body.partnership
    item = declared.item
    initial = {
        "holder": "self",
        "description": declared.nature,
        "starts_on": meeting.held_on,
        "organisation": item.organisations.first(),
        "body": item.bodies.first(),
        "project": (item.projects.splitlines() or [""])[0],
    }
    form = DeclarationForm(request.POST or None, initial=initial, **_declaration_form_args(p))
    if request.method == "POST" and form.is_valid():
        try:
            d = services.declaration_from_meeting(
                actor=request.user, declared=declared, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"{declared.person}'s interest is now in the register.")
            return redirect("governance:declaration", partnership=partnership, pk=d.pk)
    return render(
        request,
        "governance/registers/form.html",
        {
            "partnership": p,
            "form": form,
            "heading": f"Add {declared.person}'s interest to the register",
            "caption": f"Declared at {meeting} against “{item.title}”",
            "button": "Add to the register",
            "back": meeting.get_absolute_url() + f"#item-{item.pk}",
        },
    )


# --- gifts and hospitality ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def gift_create(request: HttpRequest, partnership: str) -> HttpResponse:
    p = perms.get_partnership_or_404(partnership)
    bodies = selectors.gift_bodies(person=request.user, partnership=p)
    form = GiftForm(request.POST or None, bodies=bodies)
    if request.method == "POST" and form.is_valid():
        try:
            services.gift_declare(
                actor=request.user, partnership=p, person=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, "Gift or hospitality added to the register.")
            return redirect(_mine_url(p) + "#gifts")
    return render(
        request,
        "governance/registers/form.html",
        {
            "partnership": p,
            "form": form,
            "heading": "Declare a gift or hospitality",
            "intro": "Declare everything offered in connection with your partnership role, "
            "whether you accepted or declined it. Refuse anything that could be seen as a way "
            "of influencing the partnership's decisions.",
            "button": "Add to the register",
            "back": _mine_url(p),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def register_settings(request: HttpRequest, partnership: str) -> HttpResponse:
    p = perms.get_partnership_or_404(partnership)
    perms.require(perms.can_lead_governance(request.user, p))
    current = selectors.register_settings(partnership=p)
    form = RegisterSettingsForm(
        request.POST or None,
        initial={f: getattr(current, f) for f in RegisterSettingsForm.base_fields},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.register_settings_update(
                actor=request.user, partnership=p, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, "Register settings saved.")
            return redirect("governance:registers_home", partnership=partnership)
    return render(
        request,
        "governance/registers/form.html",
        {
            "partnership": p,
            "form": form,
            "heading": "Register settings",
            "button": "Save settings",
            "back": reverse("governance:registers_home", kwargs={"partnership": partnership}),
            "history": history_entries(current) if current.pk else [],
        },
    )
