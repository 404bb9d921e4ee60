"""Proposals for new sub-groups: a body's proposals, the form to propose one, and a
proposal's page with its history and the form for the parent's decision. Reached from the
parent's page (``proposals_panel``, a body-page panel). Proposals are the parent's business:
its members and co-ordinators see them (``proposals_may_propose`` and the decision rights);
the public does not."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from governance.forms.proposals import ProposalDecisionForm, ProposalForm
from governance.models import ProposalStatus, SubGroupProposal
from governance.services import proposals as services
from partnership import permissions as perms
from partnership.history import history_entries
from partnership.models import Body
from partnership.panels import Panel

PAGE_SIZE = 50


def _may_see(user, parent: Body) -> bool:
    return perms.can_view_private_body(user, parent)


def _parent_for(request: HttpRequest, partnership: str, body: str) -> Body:
    """The parent body, if the user may see its proposals (else 403)."""
    b = perms.get_body_or_404(partnership, body)
    perms.require(_may_see(request.user, b))
    return b


def _proposal_for(request: HttpRequest, partnership: str, body: str, pk: int):
    """The proposal, if the user may see it: else 404 (to them it does not exist)."""
    b = perms.get_body_or_404(partnership, body)
    if not _may_see(request.user, b):
        raise Http404("No such proposal")
    proposal = (
        SubGroupProposal.objects.filter(pk=pk, parent=b)
        .select_related("proposed_by", "decided_at_meeting", "created_body", "parent")
        .first()
    )
    if proposal is None:
        raise Http404("No such proposal")
    proposal.parent = b
    return b, proposal


@login_required
def proposal_list(request: HttpRequest, partnership: str, body: str) -> HttpResponse:
    parent = _parent_for(request, partnership, body)
    qs = (
        SubGroupProposal.objects.filter(parent=parent)
        .select_related("proposed_by", "decided_at_meeting", "created_body")
        .order_by("-proposed_at", "-pk")
    )
    status = request.GET.get("status", "")
    if status in ProposalStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "governance/proposals/list.html",
        {
            "partnership": parent.partnership,
            "body": parent,
            "page": page,
            "proposals": list(page.object_list),
            "status": status,
            "statuses": ProposalStatus.choices,
            "may_propose": services.proposals_may_propose(request.user, parent),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def proposal_create(request: HttpRequest, partnership: str, body: str) -> HttpResponse:
    parent = _parent_for(request, partnership, body)
    perms.require(services.proposals_may_propose(request.user, parent))
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.proposal_create(
                actor=request.user, parent=parent, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request, f"{proposal.name} proposed. The {parent.name} decides at a meeting."
            )
            return redirect(
                "governance:proposal", partnership=partnership, body=body, pk=proposal.pk
            )
    return render(
        request,
        "governance/proposals/form.html",
        {"partnership": parent.partnership, "body": parent, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def proposal_detail(request: HttpRequest, partnership: str, body: str, pk: int) -> HttpResponse:
    """The proposal, its history, and for the parent's co-ordinators while it is proposed, the
    form recording the decision (posted here)."""
    parent, proposal = _proposal_for(request, partnership, body, pk)
    may_decide = proposal.status == ProposalStatus.PROPOSED and services.proposals_may_decide(
        request.user, parent
    )
    form = None
    if may_decide:
        form = ProposalDecisionForm(
            request.POST or None, meetings=services.decision_meetings(parent=parent)
        )
    elif request.method == "POST":
        perms.require(False)
    if request.method == "POST" and form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            proposal = services.proposal_decide(
                actor=request.user,
                proposal=proposal,
                agreed=data["outcome"] == "agreed",
                meeting=data["meeting"],
                note=data["note"],
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            if proposal.created_body:
                messages.success(request, f"Agreed: the {proposal.name} has been created.")
            else:
                messages.success(request, "The decision was recorded: not agreed.")
            return redirect("governance:proposal", partnership=partnership, body=body, pk=pk)
    return render(
        request,
        "governance/proposals/detail.html",
        {
            "partnership": parent.partnership,
            "body": parent,
            "proposal": proposal,
            "form": form,
            "has_meetings": form is not None and form.fields["meeting"].queryset.exists(),
            "may_withdraw": proposal.status == ProposalStatus.PROPOSED
            and proposal.proposed_by_id == request.user.pk,
            "history": history_entries(proposal),
        },
    )


@login_required
@require_POST
def proposal_withdraw(request: HttpRequest, partnership: str, body: str, pk: int) -> HttpResponse:
    _, proposal = _proposal_for(request, partnership, body, pk)
    perms.require(proposal.proposed_by_id == request.user.pk)
    try:
        services.proposal_withdraw(actor=request.user, proposal=proposal)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Proposal withdrawn.")
    return redirect("governance:proposal", partnership=partnership, body=body, pk=pk)


def proposals_panel(request: HttpRequest, body: Body, can_manage: bool) -> Panel | None:
    """The parent's page: the proposals awaiting its decision and the link to propose one,
    for its members and co-ordinators. No query where the body has no such rule (the flag is
    on the body already loaded) or the reader may not see them (rights kept for the request)."""
    if not body.sub_groups_need_approval or not _may_see(request.user, body):
        return None
    awaiting = list(
        SubGroupProposal.objects.filter(parent=body, status=ProposalStatus.PROPOSED)
        .only("name", "kind", "proposed_at", "parent")
        .order_by("proposed_at", "pk")[:10]
    )
    return Panel(
        "governance/proposals/_panel.html",
        {
            "body": body,
            "awaiting": awaiting,
            "may_propose": services.proposals_may_propose(request.user, body),
        },
    )
