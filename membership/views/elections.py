"""Election pages: open and run an election, nominate, vote in secret, see the result."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST

from membership import services
from membership.forms import (
    BallotForm,
    ElectionForm,
    ProposeForm,
    ReballotForm,
    ReceiptCheckForm,
    RespondForm,
    people_known_to,
)
from membership.models import (
    Candidate,
    CandidateStatus,
    Election,
    ElectionStatus,
    Elector,
    Membership,
    Post,
)
from membership.services.election_count import officers_editable, officers_ready
from membership.services.elections import (
    election_turnout,
    has_voted,
    is_voting_member,
    reballot_candidates,
    receipt_counted,
)
from partnership import permissions as perms
from partnership.calendar import suggested_day, working_day_on_or_after
from partnership.forms import posted
from partnership.history import history_entries
from partnership.models import Body

__all__ = [
    "ballot",
    "candidate_propose",
    "candidate_respond",
    "candidate_second",
    "election_cancel",
    "election_close",
    "election_create",
    "election_detail",
    "election_list",
    "election_reballot",
]


def _get_election(body: Body, pk: int) -> Election:
    try:
        return Election.objects.select_related("body__partnership", "seat").get(body=body, pk=pk)
    except Election.DoesNotExist as exc:
        raise Http404("No such election") from exc


def _get_candidate(election: Election, pk: int) -> Candidate:
    try:
        return Candidate.objects.select_related("person").get(election=election, pk=pk)
    except Candidate.DoesNotExist as exc:
        raise Http404("No such candidate") from exc


def _detail_url(election: Election) -> str:
    return election.url()


def election_list(request: HttpRequest, partnership: str, body: str) -> HttpResponse:
    b = perms.get_body_or_404(partnership, body)
    elections = list(Election.objects.filter(body=b).select_related("seat"))
    return render(
        request,
        "membership/election_list.html",
        {
            "partnership": b.partnership,
            "body": b,
            "elections": elections,
            "can_manage": perms.can_manage_body(request.user, b),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def election_create(request: HttpRequest, partnership: str, body: str) -> HttpResponse:
    b = perms.get_body_or_404(partnership, body)
    perms.require(perms.can_manage_body(request.user, b))
    form = ElectionForm(
        request.POST or None, body=b, initial=election_defaults(timezone.localdate())
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            election = services.election_create(
                actor=request.user,
                body=b,
                post=data["post"],
                seat=data["seat"],
                places=data["places"],
                nominations_open_at=timezone.now(),
                nominations_close_at=data["nominations_close_at"],
                voting_opens_at=data["voting_opens_at"],
                voting_closes_at=data["voting_closes_at"],
                term_starts_on=data["term_starts_on"],
                tie_rule=data["tie_rule"],
            )
        except ValidationError as exc:
            form.add_service_error(
                exc,
                nominations_close_at="nominations_close_on",
                voting_opens_at="voting_opens_on",
                voting_closes_at="voting_closes_on",
            )
        else:
            # Voting cannot start without counting officers: they are named next.
            messages.success(
                request,
                f"{election} is open for nominations. Now name its counting officers: each "
                "must make a counting code before voting opens.",
            )
            return redirect(
                reverse(
                    "membership:election_officers",
                    kwargs={"partnership": b.partnership.slug, "body": b.slug, "pk": election.pk},
                )
            )
    return render(
        request,
        "membership/election_form.html",
        {"partnership": b.partnership, "body": b, "form": form},
    )


@sensitive_post_parameters("receipt")
@require_http_methods(["GET", "POST"])
def election_detail(request: HttpRequest, partnership: str, body: str, pk: int) -> HttpResponse:
    """The election, its candidates and, once counted, its result. A receipt (the ballot's
    fingerprint) is checked by POST, so it is never in a URL, a browser's history or an
    access log."""
    b = perms.get_body_or_404(partnership, body)
    election = _get_election(b, pk)
    receipt_form = ReceiptCheckForm(posted(request))
    response = _render_detail(request, election, receipt_form=receipt_form)
    if request.method == "POST":
        add_never_cache_headers(response)
    return response


def _render_detail(
    request: HttpRequest,
    election: Election,
    *,
    propose_form=None,
    reballot_form=None,
    receipt_form=None,
) -> HttpResponse:
    """The election's page; a form given here is shown bound, with its errors."""
    b = election.body
    user = request.user
    can_manage = perms.can_manage_body(user, b)
    phase = election.phase()
    candidates = list(
        election.candidates.select_related("person", "organisation", "proposer", "seconder")
    )
    signed_in = user.is_authenticated
    votes_here = signed_in and is_voting_member(user, b)
    officers = list(election.officers.select_related("person"))
    ready = sum(o.code_key is not None for o in officers)
    counted = sum(o.partials is not None for o in officers)
    context = {
        "partnership": b.partnership,
        "body": b,
        "election": election,
        "phase": phase,
        "standing": [c for c in candidates if c.status == CandidateStatus.ACCEPTED],
        "nominations": [c for c in candidates if c.status != CandidateStatus.ACCEPTED],
        "can_manage": can_manage,
        "is_voting_member": votes_here,
        "my_candidacy": next((c for c in candidates if signed_in and c.person_id == user.pk), None),
        "closed": election.status == ElectionStatus.CLOSED,
        "officers": officers,
        "officers_ready": ready,
        "officers_counted": counted,
        "officers_editable": officers_editable(election),
        # Voting has opened by its dates but waits for enough officers' codes (key_deal).
        "voting_waits": phase == "voting"
        and election.public_key is None
        and ready < election.threshold,
        "my_officer": next((o for o in officers if signed_in and o.person_id == user.pk), None),
        # The one form on the page with errors, for the error summary at its top.
        "form": propose_form or reballot_form,
    }
    if phase == "nominations" and votes_here:
        context["propose_form"] = propose_form or ProposeForm(
            people=_proposable(election), body=b, election=election
        )
    if phase in ("voting", "counting", "sealed", "closed") and (can_manage or votes_here):
        context["turnout"] = election_turnout(election=election)
    if phase == "voting" and signed_in:
        context["has_voted"] = has_voted(election=election, person=user)
    if context["closed"]:
        # Only the election's own page checks a receipt: the re-ballot's refusal shows the
        # page again from another POST, which says nothing about a receipt.
        receipt_form = receipt_form or ReceiptCheckForm()
        context["receipt_form"] = receipt_form
        if receipt_form.is_bound and receipt_form.is_valid():
            code = receipt_form.cleaned_data["receipt"]
            context["receipt"] = code
            context["receipt_groups"] = _groups(code)
            context["receipt_counted"] = receipt_counted(election=election, receipt=code)
        elif receipt_form.is_bound:
            context["form"] = context["form"] or receipt_form
        if can_manage and reballot_candidates(election=election):
            context["reballot_form"] = reballot_form or ReballotForm()
    if election.status == ElectionStatus.VOID:
        context["rerun"] = election.reruns.first()
    if can_manage:
        context["history"] = history_entries(election)
        turnout = context.get("turnout")
        context["can_close"] = phase == "counting" or (
            phase == "voting" and turnout is not None and turnout.voted >= turnout.electorate
        )
    response = render(request, "membership/election_detail.html", context)
    # Shown again from a refused POST too: never kept by a cache in between.
    add_never_cache_headers(response)
    return response


def _proposable(election: Election):
    if election.post == Post.SEAT or services.chair_may_come_from_outside(election):
        return people_known_to(election.body)
    member_ids = Membership.objects.current().filter(body=election.body).values("person_id")
    return people_known_to(election.body).filter(pk__in=member_ids)


@login_required
@require_POST
def candidate_propose(request: HttpRequest, partnership: str, body: str, pk: int) -> HttpResponse:
    b = perms.get_body_or_404(partnership, body)
    election = _get_election(b, pk)
    perms.require(is_voting_member(request.user, b))
    form = ProposeForm(request.POST, people=_proposable(election), body=b, election=election)
    if form.is_valid():
        try:
            candidate = services.candidate_propose(
                actor=request.user,
                election=election,
                person=form.cleaned_data["person"],
                organisation=form.cleaned_data.get("organisation"),
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, f"You have proposed {candidate.person}. It needs a seconder.")
            return redirect(_detail_url(election))
    # Shown again on the election's page, with the error summary and the message by the field.
    return _render_detail(request, election, propose_form=form)


@login_required
@require_POST
def candidate_second(
    request: HttpRequest, partnership: str, body: str, pk: int, candidate: int
) -> HttpResponse:
    b = perms.get_body_or_404(partnership, body)
    election = _get_election(b, pk)
    c = _get_candidate(election, candidate)
    perms.require(is_voting_member(request.user, b))
    try:
        services.candidate_second(actor=request.user, candidate=c)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"You have seconded {c.person}'s nomination.")
    return redirect(_detail_url(election))


@login_required
@require_http_methods(["GET", "POST"])
def candidate_respond(
    request: HttpRequest, partnership: str, body: str, pk: int, candidate: int
) -> HttpResponse:
    b = perms.get_body_or_404(partnership, body)
    election = _get_election(b, pk)
    c = _get_candidate(election, candidate)
    perms.require(c.person_id == request.user.pk)
    form = RespondForm(request.POST or None, initial={"statement": c.statement})
    if request.method == "POST" and form.is_valid():
        accept = form.cleaned_data["answer"] == "accept"
        try:
            services.candidate_respond(
                actor=request.user,
                candidate=c,
                accept=accept,
                statement=form.cleaned_data["statement"],
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request, "You are standing." if accept else "You have declined the nomination."
            )
            return redirect(_detail_url(election))
    return render(
        request,
        "membership/candidate_respond.html",
        {"partnership": b.partnership, "body": b, "election": election, "form": form},
    )


@never_cache
@sensitive_post_parameters()
@sensitive_variables()
@login_required
@require_http_methods(["GET", "POST"])
def ballot(request: HttpRequest, partnership: str, body: str, pk: int) -> HttpResponse:
    """Choose, review, confirm. Nothing is stored until the voter confirms, and the receipt is
    shown in the response to that POST only: no session, message or log holds it."""
    b = perms.get_body_or_404(partnership, body)
    election = _get_election(b, pk)
    perms.require(_may_vote(election, request.user))
    if election.phase() != "voting":
        messages.error(request, "Voting is not open in this election.")
        return redirect(_detail_url(election))
    if has_voted(election=election, person=request.user):
        messages.error(request, "You have already voted in this election.")
        return redirect(_detail_url(election))
    if election.public_key is None and officers_ready(election) < election.threshold:
        messages.error(
            request,
            "Voting has not started yet: it waits for the counting officers to make their codes.",
        )
        return redirect(_detail_url(election))
    candidates = list(
        election.candidates.filter(status=CandidateStatus.ACCEPTED).select_related("person")
    )
    context = {"partnership": b.partnership, "body": b, "election": election}
    form = BallotForm(
        _ballot_data(request.POST) if request.method == "POST" else None,
        candidates=candidates,
        places=election.places,
    )
    step = request.POST.get("step", "choose")
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["choices"]
        abstain = form.cleaned_data["abstain"]
        if step == "review":
            context.update(
                form=form,
                chosen=[c for c in candidates if c.pk in chosen],
                abstain=abstain,
            )
            return render(request, "membership/ballot_review.html", context)
        if step == "confirm":
            try:
                receipt = services.ballot_cast(
                    voter=request.user, election=election, choices=chosen, abstain=abstain
                )
            except ValidationError as exc:
                form.add_error(None, " ".join(exc.messages))
            else:
                context["receipt"] = receipt
                # Shown in groups of 8 characters, to read and copy.
                context["receipt_groups"] = _groups(receipt)
                return render(request, "membership/ballot_cast.html", context)
    context.update(form=form, candidates=candidates)
    return render(request, "membership/ballot_form.html", context)


def _groups(receipt: str) -> list[str]:
    """A receipt (a 64-character fingerprint) in groups of 8, to read, copy and compare."""
    return [receipt[i : i + 8] for i in range(0, len(receipt), 8)]


def _may_vote(election: Election, user) -> bool:
    """An elector once the electorate is fixed; until then, a voting member of the body."""
    if election.electorate_fixed:
        return Elector.objects.filter(election=election, person=user).exists()
    return is_voting_member(user, election.body)


def _ballot_data(post):
    """A single-choice ballot is one radio group, ``vote``: a candidate or "abstain"."""
    data = post.copy()
    vote = data.get("vote")
    if vote == "abstain":
        data["abstain"] = "on"
    elif vote:
        data.setlist("choices", [vote])
    return data


def _coordinator_action(request, partnership: str, body: str, pk: int, action, done):
    """Fetch, authorise as the body's co-ordinator, run ``action``, report (``done``: the
    message, or a callable of the action's result giving it), go back."""
    b = perms.get_body_or_404(partnership, body)
    election = _get_election(b, pk)
    perms.require(perms.can_manage_body(request.user, b))
    try:
        result = action(actor=request.user, election=election)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done(result) if callable(done) else done)
    return redirect(_detail_url(election))


@login_required
@require_POST
def election_close(request: HttpRequest, partnership: str, body: str, pk: int) -> HttpResponse:
    return _coordinator_action(
        request,
        partnership,
        body,
        pk,
        services.election_close,
        _closed_message,
    )


def _closed_message(election: Election) -> str:
    if election.status == ElectionStatus.VOID:
        return f"Voting has closed. {election.outcome}"
    return (
        "Voting has closed. The counting officers have been asked to enter their codes: the "
        "result is published when enough of them have."
    )


@login_required
@require_POST
def election_cancel(request: HttpRequest, partnership: str, body: str, pk: int) -> HttpResponse:
    return _coordinator_action(
        request,
        partnership,
        body,
        pk,
        services.election_cancel,
        "The election has been cancelled.",
    )


@login_required
@require_POST
def election_reballot(request: HttpRequest, partnership: str, body: str, pk: int) -> HttpResponse:
    b = perms.get_body_or_404(partnership, body)
    election = _get_election(b, pk)
    perms.require(perms.can_manage_body(request.user, b))
    form = ReballotForm(request.POST)
    if form.is_valid():
        now = timezone.now()
        closes = timezone.localtime(now + timedelta(days=form.cleaned_data["days"]))
        # Never closing on a weekend or bank holiday: the first working day, at that time (a
        # deadline: not pushed past the Christmas break as a suggested default is).
        closes += working_day_on_or_after(closes.date()) - closes.date()
        try:
            reballot_ = services.election_reballot(
                actor=request.user,
                election=election,
                voting_opens_at=now,
                voting_closes_at=closes,
            )
        except ValidationError as exc:
            form.add_service_error(exc, voting_closes_at="days")
        else:
            messages.success(request, "The re-ballot is open for voting.")
            return redirect(_detail_url(reballot_))
    return _render_detail(request, election, reballot_form=form)


def election_defaults(today) -> dict:
    """The dates a new election's form suggests: two weeks of nominations, a week of voting,
    the term from the next day. Voting's close and the term's start fall on working days,
    never a weekend, bank holiday or the Christmas break (partnership.calendar)."""
    nominations_close = suggested_day(today + timedelta(days=14))
    voting_opens = suggested_day(nominations_close + timedelta(days=1))
    voting_closes = suggested_day(voting_opens + timedelta(days=7))
    return {
        "places": 1,
        "tie_rule": "reballot",
        "nominations_close_on": nominations_close,
        "nominations_close_time": "17:00",
        "voting_opens_on": voting_opens,
        "voting_opens_time": "09:00",
        "voting_closes_on": voting_closes,
        "voting_closes_time": "17:00",
        "term_starts_on": suggested_day(voting_closes + timedelta(days=1)),
    }
