"""Restructuring the partnership (issue 16): the co-ordinator's wizard (what changes, members,
open work, confirmation) and the public record of each change.

The wizard keeps what was typed at each step in the session, under a key per partnership, as
the raw form data: each step's form is bound to it again when the step is shown, so going back
or landing on a step with a refusal loses nothing typed, and the pages' forms carry only their
own fields (a merge of two boards can have a hundred members; hidden fields would send all of
them back with every step). The service is called only with what the forms cleaned.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.views.decorators.http import require_http_methods

from membership.forms_restructure import ConfirmForm, MembersForm, ThingsForm, WhatForm
from membership.models import Membership, Role
from membership.selectors_structure import structure_changes
from membership.services.restructure import (
    MemberChoice,
    NewBody,
    restructure,
    successor_seats,
)
from partnership import permissions as perms
from partnership.models import Body, ChangeKind, EventRole, Partnership, StructureChange
from partnership.paging import page_with_total
from partnership.restructure import open_things

__all__ = [
    "change_detail",
    "change_list",
    "restructure_confirm",
    "restructure_members",
    "restructure_things",
    "restructure_what",
]

STEPS = ("what", "members", "things", "confirm")
URL_OF_STEP = {
    "what": "membership:restructure",
    "members": "membership:restructure_members",
    "things": "membership:restructure_things",
    "confirm": "membership:restructure_confirm",
}


def _key(p: Partnership) -> str:
    return f"restructure:{p.pk}"


def _state(request: HttpRequest, p: Partnership) -> dict:
    return request.session.get(_key(p), {})


def _save(request: HttpRequest, p: Partnership, state: dict) -> None:
    request.session[_key(p)] = state


def _data(request: HttpRequest) -> dict[str, list[str]]:
    """What the step's form sent, as lists (the session stores JSON)."""
    return {k: request.POST.getlist(k) for k in request.POST if k != "csrfmiddlewaretoken"}


def _coordinator(request: HttpRequest, partnership: str) -> Partnership:
    p = perms.get_partnership_or_404(partnership)
    perms.require(perms.can_manage_partnership(request.user, p))
    return p


def _go(p: Partnership, step: str) -> HttpResponse:
    return redirect(URL_OF_STEP[step], partnership=p.slug)


@dataclass
class _Plan:
    """The wizard's forms, each bound to what was saved for its step (None: not yet sent)."""

    what: WhatForm
    members: MembersForm | None = None
    things: ThingsForm | None = None
    memberships: list | None = None

    @property
    def carry(self) -> bool:
        return self.what.cleaned_data["kind"] != ChangeKind.END

    def call(self) -> dict:
        """The service's arguments from the cleaned forms (all three valid)."""
        d = self.what.cleaned_data
        new_body = None
        successor = d["successor"] if self.carry else None
        if self.carry and successor is None:
            new_body = NewBody(
                name=d["name"].strip(),
                kind=d["new_kind"],
                parent=d["parent"],
                remit=d["remit"],
                shadow_from=d["shadow_from"],
            )
        m = self.members.cleaned_data
        return {
            "kind": d["kind"],
            "sources": list(d["sources"]),
            "effective_on": d["effective_on"],
            "reason": d["reason"],
            "successor": successor,
            "new_body": new_body,
            "members": {
                ms.pk: MemberChoice(
                    seat=m.get(f"member-{ms.pk}", ""), role=m.get(f"role-{ms.pk}") or Role.MEMBER
                )
                for ms in self.memberships
            },
            "things": dict(self.things.cleaned_data),
        }


def _bound(form_class, saved: dict | None, **kwargs):
    return form_class(MultiValueDict(saved) if saved is not None else None, **kwargs)


def _pick(sent: dict | None, state: dict, step: str) -> dict | None:
    """What the step's form sent (an empty form sends nothing, which is still an answer), else
    what was saved for it."""
    return sent if sent is not None else state.get(step)


def _plan(p: Partnership, state: dict, *, what_data=None, members_data=None, things_data=None):
    """The forms of every step up to the first that is not valid; ``*_data`` replace what was
    saved for that step (the step being sent)."""
    bodies = Body.objects.filter(partnership=p).open().order_by("name")
    what = _bound(WhatForm, _pick(what_data, state, "what"), bodies=bodies)
    plan = _Plan(what=what)
    if not what.is_bound or not what.is_valid():
        return plan
    d = what.cleaned_data
    sources, on = list(d["sources"]), d["effective_on"]
    # The memberships the service decides about: running on the date (one starting later is
    # refused by the service, on the date's field).
    plan.memberships = list(
        Membership.objects.filter(body__in=sources)
        .overlapping(starts_on=on, ends_on=None)
        .select_related("person", "body", "seat")
        .order_by("body__name", "person__full_name", "pk")
    )
    seats = []
    if plan.carry:
        successor = d["successor"]
        seats = successor_seats(
            sources=sources,
            successor=successor,
            new_body=None
            if successor
            else NewBody(name=d["name"], kind=d["new_kind"], parent=d["parent"]),
        )
    saved_members = _pick(members_data, state, "members")
    if not plan.carry and saved_members is None:
        saved_members = {}  # nothing to choose: every membership ends
    plan.members = _bound(
        MembersForm, saved_members, memberships=plan.memberships, seats=seats, carry=plan.carry
    )
    plan.things = _bound(
        ThingsForm,
        _pick(things_data, state, "things"),
        groups=open_things(bodies=sources, on=on),
        carry=plan.carry,
    )
    return plan


def _step_of(field: str, plan: _Plan) -> str:
    if field in WhatForm.base_fields:
        return "what"
    if plan.members is not None and field in plan.members.fields:
        return "members"
    if plan.things is not None and field in plan.things.fields:
        return "things"
    return "confirm"


def _refused(request: HttpRequest, p: Partnership, state: dict, plan: _Plan, exc) -> str:
    """File the service's refusals under the step that has each field, in the session, and
    return the first such step (the confirmation page for those of no field)."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
    by_step: dict[str, dict[str, list[str]]] = {}
    for field, found in errors.items():
        by_step.setdefault(_step_of(field, plan), {})[field] = list(found)
    state["errors"] = by_step
    _save(request, p, state)
    return next(step for step in STEPS if step in by_step)


def _with_errors(request: HttpRequest, p: Partnership, state: dict, step: str, form) -> None:
    """Put the refusals filed for ``step`` on its form (bound to what was saved), once."""
    errors = state.get("errors", {}).pop(step, None)
    if not errors or form is None:
        return
    _save(request, p, state)
    form.is_valid()
    if not hasattr(form, "cleaned_data"):
        form.cleaned_data = {}  # the confirmation's form is not sent on a GET
    for field, found in errors.items():
        for message in found:
            form.add_error(field if field in form.fields else None, message)


def _page(request, p, template, form, step, **context) -> HttpResponse:
    return render(
        request,
        f"membership/restructure/{template}",
        {
            "partnership": p,
            "form": form,
            "step": step,
            "step_number": STEPS.index(step) + 1,
            "back": reverse(URL_OF_STEP[STEPS[STEPS.index(step) - 1]], args=[p.slug])
            if step != "what"
            else reverse("membership:structure", args=[p.slug]),
            **context,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def restructure_what(request: HttpRequest, partnership: str) -> HttpResponse:
    p = _coordinator(request, partnership)
    state = _state(request, p)
    if request.method == "POST":
        plan = _plan(p, state, what_data=_data(request))
        if plan.what.is_valid():
            state["what"] = _data(request)
            state.pop("errors", None)
            _save(request, p, state)
            return _go(p, "members" if plan.carry else "things")
        form = plan.what
    elif "what" in state and not ({"body", "new"} & set(request.GET)):
        form = _plan(p, state).what
        _with_errors(request, p, state, "what", form)
    else:
        # A fresh start, perhaps from a body's page ("Merge, replace or end this body").
        initial = {"kind": ChangeKind.MERGE}
        start = Body.objects.filter(partnership=p, slug=request.GET.get("body", "")).first()
        if start is not None:
            initial["sources"] = [start.pk]
        request.session.pop(_key(p), None)
        form = WhatForm(
            bodies=Body.objects.filter(partnership=p).open().order_by("name"), initial=initial
        )
    return _page(request, p, "what.html", form, "what")


@login_required
@require_http_methods(["GET", "POST"])
def restructure_members(request: HttpRequest, partnership: str) -> HttpResponse:
    p = _coordinator(request, partnership)
    state = _state(request, p)
    posted = _data(request) if request.method == "POST" else None
    plan = _plan(p, state, members_data=posted)
    if plan.members is None:
        return _go(p, "what")
    if not plan.carry:
        return _go(p, "things")
    if posted is not None and plan.members.is_valid():
        state["members"] = posted
        state.get("errors", {}).pop("members", None)
        _save(request, p, state)
        return _go(p, "things")
    if posted is None:
        _with_errors(request, p, state, "members", plan.members)
    return _page(request, p, "members.html", plan.members, "members", plan=plan)


@login_required
@require_http_methods(["GET", "POST"])
def restructure_things(request: HttpRequest, partnership: str) -> HttpResponse:
    p = _coordinator(request, partnership)
    state = _state(request, p)
    posted = _data(request) if request.method == "POST" else None
    plan = _plan(p, state, things_data=posted)
    if plan.things is None:
        return _go(p, "what")
    if not plan.members.is_bound or not plan.members.is_valid():
        return _go(p, "members")
    if posted is not None and plan.things.is_valid():
        state["things"] = posted
        state.get("errors", {}).pop("things", None)
        _save(request, p, state)
        return _go(p, "confirm")
    if posted is None:
        _with_errors(request, p, state, "things", plan.things)
    context = {} if plan.carry else {"back": reverse(URL_OF_STEP["what"], args=[p.slug])}
    return _page(request, p, "things.html", plan.things, "things", plan=plan, **context)


@login_required
@require_http_methods(["GET", "POST"])
def restructure_confirm(request: HttpRequest, partnership: str) -> HttpResponse:
    p = _coordinator(request, partnership)
    state = _state(request, p)
    plan = _plan(p, state)
    for step, form in (("what", plan.what), ("members", plan.members), ("things", plan.things)):
        if form is None or not form.is_bound or not form.is_valid():
            return _go(p, step)
    form = ConfirmForm(request.POST or None)
    lines: list[str] = []
    try:
        result = restructure(
            actor=request.user,
            partnership=p,
            dry_run=request.method != "POST",
            **plan.call(),
        )
    except ValidationError as exc:
        step = _refused(request, p, state, plan, exc)
        if step != "confirm":
            return _go(p, step)
        _with_errors(request, p, state, "confirm", form)
    else:
        if request.method == "POST":
            request.session.pop(_key(p), None)
            change = result.change
            messages.success(request, f"The restructure has been recorded: {change}.")
            return redirect("membership:change_detail", partnership=p.slug, pk=change.pk)
        lines = result.lines
    return _page(request, p, "confirm.html", form, "confirm", plan=plan, lines=lines)


# --- the record of the changes ---------------------------------------------------------------


def change_list(request: HttpRequest, partnership: str) -> HttpResponse:
    p = perms.get_partnership_or_404(partnership)
    page = page_with_total(structure_changes(partnership=p), number=request.GET.get("page"))
    return render(
        request,
        "membership/restructure/change_list.html",
        {
            "partnership": p,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
            "ellipsis": page.paginator.ELLIPSIS,
            "can_manage_partnership": perms.can_manage_partnership(request.user, p),
        },
    )


def change_detail(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    p = perms.get_partnership_or_404(partnership)
    try:
        change = StructureChange.objects.select_related(
            "successor__partnership", "partnership"
        ).get(partnership=p, pk=pk)
    except StructureChange.DoesNotExist as exc:
        raise Http404("No such change") from exc
    events = list(change.events.select_related("body", "body__partnership").order_by("pk"))
    # The summary names what moved and ended: actions, risks, meetings of bodies that may keep
    # their business private. It is shown to those who may read the private business of every
    # body the change touched; everyone else sees what happened, when, why and to which bodies.
    bodies = [e.body for e in events]
    full = bool(bodies) and all(perms.can_view_private_body(request.user, b) for b in bodies)
    return render(
        request,
        "membership/restructure/change_detail.html",
        {
            "partnership": p,
            "change": change,
            "ended": [e for e in events if e.role == EventRole.ENDED],
            "successors": [e for e in events if e.role == EventRole.SUCCESSOR],
            "renamed": [e for e in events if e.role == EventRole.RENAMED],
            "show_summary": full,
        },
    )
