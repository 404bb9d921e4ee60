"""Counting officers: naming them (co-ordinators), making a code and counting (officers),
declaring an uncountable election void and running it again (co-ordinators).

A counting code is shown once, in the response to the POST that made it: never in a session,
message, log or cache (``never_cache``; the view and the services hide their variables and
the POST from error reports). Counting takes the code by POST, likewise hidden.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST

from membership import services
from membership.crypto.officers import code_key, key_fingerprint
from membership.forms import CountingCodeForm, ElectionOfficersForm, RerunForm
from membership.models import (
    Appointment,
    AppointmentRole,
    CandidateStatus,
    Election,
    ElectionOfficer,
    ElectionStatus,
    Membership,
    User,
)
from membership.services.election_count import BallotRefused, officers_editable
from membership.views.elections import _coordinator_action, _detail_url, _get_election
from partnership import permissions as perms
from partnership.calendar import suggested_day
from partnership.forms import posted

__all__ = ["election_counting", "election_officers", "election_rerun", "election_void"]

log = logging.getLogger(__name__)

# The most people the officers' checkboxes offer: the body's members and the partnership's
# appointees are rarely more; beyond this the co-ordinator is told to ask the governance lead.
MAX_CHOICES = 200


def officer_choices(election: Election) -> tuple[list[tuple[int, str]], set[int]]:
    """Who may be chosen as a counting officer: the body's current members, the partnership's
    current co-ordinators and governance lead, and anyone already named; never a candidate.
    Returns the (id, label) choices and the ids of the governance leads (suggested)."""
    body = election.body
    today = timezone.localdate()
    members = Membership.objects.current(on=today).filter(body=body).values("person_id")
    appointed: dict[int, str] = {}
    for person_id, role in (
        Appointment.objects.current(on=today)
        .filter(partnership_id=body.partnership_id)
        .values_list("person_id", "role")
    ):
        # The governance lead is suggested, whatever else they are.
        if appointed.get(person_id) != AppointmentRole.GOVERNANCE_LEAD:
            appointed[person_id] = role
    named = election.officers.values("person_id")
    standing = election.candidates.exclude(status=CandidateStatus.DECLINED).values("person_id")
    rows = (
        User.objects.filter(Q(pk__in=members) | Q(pk__in=list(appointed)) | Q(pk__in=named))
        .exclude(pk__in=standing)
        .order_by("full_name", "pk")
        .values_list("pk", "full_name", "email")[:MAX_CHOICES]
    )
    labels = {
        AppointmentRole.GOVERNANCE_LEAD: "governance lead (suggested)",
        AppointmentRole.COORDINATOR: "co-ordinator",
    }
    choices = [
        (pk, f"{name or email}, {labels[appointed[pk]]}" if pk in appointed else name or email)
        for pk, name, email in rows
    ]
    leads = {pk for pk, role in appointed.items() if role == AppointmentRole.GOVERNANCE_LEAD}
    return choices, leads


@login_required
@require_http_methods(["GET", "POST"])
def election_officers(request: HttpRequest, partnership: str, body: str, pk: int) -> HttpResponse:
    """The co-ordinator names the counting officers and how many must count together, until
    voting opens."""
    b = perms.get_body_or_404(partnership, body)
    election = _get_election(b, pk)
    perms.require(perms.can_manage_body(request.user, b))
    if not officers_editable(election):
        messages.error(request, "The counting officers are fixed once voting has opened.")
        return redirect(_detail_url(election))
    people, leads = officer_choices(election)
    named = list(election.officers.select_related("person"))
    initial = {
        "officers": [o.person_id for o in named] or [pk for pk, _ in people if pk in leads],
        "threshold": election.threshold,
    }
    form = ElectionOfficersForm(posted(request), people=people, initial=initial)
    if request.method == "POST" and form.is_valid():
        chosen = set(form.cleaned_data["officers"])
        try:
            officers = services.officers_name(
                actor=request.user,
                election=election,
                people=list(User.objects.filter(pk__in=chosen).order_by("full_name", "pk")),
                threshold=form.cleaned_data["threshold"],
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request,
                f"{len(officers)} counting officers are named; any "
                f"{form.cleaned_data['threshold']} of them count together. Each must make a "
                "counting code before voting opens.",
            )
            return redirect(_detail_url(election))
    return render(
        request,
        "membership/election_officers.html",
        {
            "partnership": b.partnership,
            "body": b,
            "election": election,
            "form": form,
            "named": named,
            "phase": election.phase(),
            "limited": len(people) >= MAX_CHOICES,
        },
    )


def _officer_or_403(election: Election, user) -> ElectionOfficer:
    officer = election.officers.filter(person=user).first() if user.is_authenticated else None
    perms.require(officer is not None)
    return officer


@never_cache
@sensitive_post_parameters()
@sensitive_variables()
@login_required
@require_http_methods(["GET", "POST"])
def election_counting(request: HttpRequest, partnership: str, body: str, pk: int) -> HttpResponse:
    """A counting officer's page: make a counting code before voting opens (shown once, in
    this response only), and enter it once voting has closed to count."""
    b = perms.get_body_or_404(partnership, body)
    election = _get_election(b, pk)
    officer = _officer_or_403(election, request.user)
    context = {
        "partnership": b.partnership,
        "body": b,
        "election": election,
        "phase": election.phase(),
        "officer": officer,
        "editable": officers_editable(election),
        "counted": election.officers.filter(partials__isnull=False).count(),
        "form": None,
        # Fingerprints to compare by eye with those the officer was given outside the site
        # (beside their code, and in the e-mails when voting opened and closed).
        "officer_key": key_fingerprint(officer.code_key) if officer.code_key else "",
    }
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "make":
        try:
            code = services.officer_code_make(actor=request.user, election=election)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(election.url("election_counting"))
        context.update(
            code=code,
            officer_key=key_fingerprint(
                code_key(code, election=str(election.pk), index=officer.index).encode()
            ),
            download=(
                f"Counting code: {election} (election {election.pk})\n\n{code}\n\n"
                f"Your key's fingerprint: {context['officer_key']}\n\n"
                "Keep it safe, offline. You will be asked for it when voting closes.\n"
            ),
        )
        del code
        return render(request, "membership/election_code.html", context)
    if election.status == ElectionStatus.SEALED:
        form = CountingCodeForm(request.POST if action == "count" else None)
        context["form"] = form
        if action == "count" and form.is_valid():
            try:
                election = services.count_share_submit(
                    actor=request.user, election=election, code=form.cleaned_data["code"]
                )
            except BallotRefused as exc:
                log.error(
                    "Election %s was not counted: a ballot failed its checks (%s)",
                    election.pk,
                    "; ".join(exc.messages),
                )
                messages.error(
                    request,
                    "A ballot failed its checks: nothing was counted. Tell the governance lead.",
                )
                return redirect(election.url("election_counting"))
            except ValidationError as exc:
                form.add_service_error(exc)
            else:
                if election.status == ElectionStatus.CLOSED:
                    messages.success(
                        request,
                        "You have counted, and that completes the count: the result is published.",
                    )
                    return redirect(_detail_url(election))
                counted = election.officers.filter(partials__isnull=False).count()
                messages.success(
                    request,
                    f"You have counted. {counted} of the {election.threshold} counting "
                    "officers needed have counted so far.",
                )
                return redirect(election.url("election_counting"))
    elif action:
        messages.error(request, "There is nothing to do here at this stage of the election.")
        return redirect(election.url("election_counting"))
    return render(request, "membership/election_counting.html", context)


@login_required
@require_POST
def election_void(request: HttpRequest, partnership: str, body: str, pk: int) -> HttpResponse:
    return _coordinator_action(
        request,
        partnership,
        body,
        pk,
        services.election_void,
        "The election has been declared void: nothing was counted. You can run it again.",
    )


def rerun_defaults(today) -> dict:
    """A week for the officers to make their new codes, then a week of voting: on working
    days, as a new election's dates are."""
    opens = suggested_day(today + timedelta(days=7))
    closes = suggested_day(opens + timedelta(days=7))
    return {
        "voting_opens_on": opens,
        "voting_opens_time": "09:00",
        "voting_closes_on": closes,
        "voting_closes_time": "17:00",
    }


@login_required
@require_http_methods(["GET", "POST"])
def election_rerun(request: HttpRequest, partnership: str, body: str, pk: int) -> HttpResponse:
    """Run a void election again: the same candidates and officers, new voting dates."""
    b = perms.get_body_or_404(partnership, body)
    election = _get_election(b, pk)
    perms.require(perms.can_manage_body(request.user, b))
    if election.status != ElectionStatus.VOID or election.reruns.exists():
        messages.error(request, "Only an election that could not be counted is run again, once.")
        return redirect(_detail_url(election))
    form = RerunForm(posted(request), initial=rerun_defaults(timezone.localdate()))
    if request.method == "POST" and form.is_valid():
        try:
            rerun = services.election_rerun(
                actor=request.user,
                election=election,
                voting_opens_at=form.cleaned_data["voting_opens_at"],
                voting_closes_at=form.cleaned_data["voting_closes_at"],
            )
        except ValidationError as exc:
            form.add_service_error(
                exc, voting_opens_at="voting_opens_on", voting_closes_at="voting_closes_on"
            )
        else:
            messages.success(
                request,
                "The election will be run again. The counting officers must each make a new "
                "code before voting opens; you can change them until then.",
            )
            return redirect(rerun.url("election_officers"))
    return render(
        request,
        "membership/election_rerun.html",
        {"partnership": b.partnership, "body": b, "election": election, "form": form},
    )
