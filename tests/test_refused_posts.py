"""A refused POST changes nothing.

Each structure-changing form is posted, with data that the partnership co-ordinator's own post
shows to be valid, by every role that may not use it: the public is sent to sign in, everyone
else is refused (403), and afterwards the database holds exactly what it held before: no new
body, seat, membership, person, organisation or appointment, no name or date changed, no right
given, no history row written.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from membership.models import Appointment, Membership, Seat, User
from partnership.models import (
    Body,
    BodyUserObjectPermission,
    Organisation,
    PartnershipUserObjectPermission,
)
from tests.test_url_access import ROLES, _check, _client_for

WATCHED = [
    Body,
    Seat,
    Membership,
    Organisation,
    User,
    Appointment,
    BodyUserObjectPermission,
    PartnershipUserObjectPermission,
]
# Django writes last_login at each sign-in; it is not something a form changes.
NOT_WATCHED = {"last_login", "password"}


def snapshot() -> dict:
    state = {}
    for model in WATCHED:
        fields = [f.attname for f in model._meta.concrete_fields if f.name not in NOT_WATCHED]
        state[model._meta.label] = list(model.objects.order_by("pk").values_list(*fields))
        if hasattr(model, "history"):
            state[f"{model._meta.label} history"] = model.history.count()
    return state


def _date(prefix, d):
    return {f"{prefix}_day": d.day, f"{prefix}_month": d.month, f"{prefix}_year": d.year}


def posts(w):
    """(what, URL name, URL arguments, valid data). Every object is outside the group
    co-ordinator's Safer Group, so they are refused all but adding a body (below their group)."""
    today = timezone.localdate()
    p = w.partnership.slug
    board = {"partnership": p, "body": w.board.slug}
    other = {"partnership": p, "body": w.other.slug}
    return [
        (
            "body create",
            "partnership:body_create",
            {"partnership": p},
            {"name": "New Forum", "kind": "forum", "parent": w.board.pk, "remit": "New"},
        ),
        (
            "body edit",
            "partnership:body_edit",
            board,
            {
                "name": "Renamed Board",
                "kind": "partnership_board",
                "parent": "",
                "remit": "A new remit",
                "terms_of_reference": "New terms",
                **_date("established_on", today - timedelta(days=400)),
            },
        ),
        (
            "body close",
            "membership:body_close",
            # The Other Group has no bodies below it, so it can close; other_member sits on it.
            other,
            {**_date("closed_on", today), "closure_reason": "Merged into the Board"},
        ),
        (
            "seat create",
            "membership:seat_create",
            board,
            {"name": "Business", "count": 2, "sector": "private", "voting": "True"},
        ),
        (
            "seat edit",
            "membership:seat_edit",
            {**board, "pk": w.board_seat.pk},
            {"name": "Renamed seat", "count": 5, "sector": "public", "voting": "False"},
        ),
        (
            "membership create",
            "membership:membership_create",
            board,
            {
                "seat": w.board_seat.pk,
                "person": "",
                "new_full_name": "Nia Adeyemi",
                "new_email": "nia@example.org",
                "organisation": w.council.pk,
                "role": "member",
                **_date("starts_on", today),
            },
        ),
        (
            "membership edit",
            "membership:membership_detail",
            {**board, "pk": w.member_membership.pk},
            {
                "role": "deputy_chair",
                "organisation": w.business.pk,
                **_date("starts_on", w.start),
                **_date("ends_on", today + timedelta(days=90)),
            },
        ),
        (
            "membership end",
            "membership:membership_end",
            {**board, "pk": w.member_membership.pk},
            {**_date("ends_on", today + timedelta(days=1)), "reason": "Resigned"},
        ),
        (
            "organisation create",
            "partnership:organisation_create",
            {"partnership": p},
            {"name": "Testshire Fire Service", "sector": "public", "statutory_partner": "on"},
        ),
        (
            "organisation edit",
            "partnership:organisation_edit",
            {"partnership": p, "pk": w.council.pk},
            {"name": "Renamed Council", "sector": "private", "website": "https://example.org"},
        ),
        (
            "appoint a co-ordinator",
            "membership:appointment_list",
            {"partnership": p},
            {
                "email": "outsider@example.org",
                "full_name": "Outsider",
                "role": "coordinator",
                "body": "",
                **_date("starts_on", today),
            },
        ),
    ]


# A group co-ordinator may add bodies below their group; everything else here is refused to
# everyone but the partnership co-ordinator.
REFUSED = {
    what: [
        r for r in ROLES if r != "coordinator" and (what, r) != ("body create", "group_coordinator")
    ]
    for what in [
        "body create",
        "body edit",
        "body close",
        "seat create",
        "seat edit",
        "membership create",
        "membership edit",
        "membership end",
        "organisation create",
        "organisation edit",
        "appoint a co-ordinator",
    ]
}


def _post(world, action):
    (entry,) = [entry for entry in posts(world) if entry[0] == action]
    _, name, kwargs, data = entry
    return reverse(name, kwargs=kwargs), data


def test_every_action_is_listed(world):
    assert [what for what, *_ in posts(world)] == list(REFUSED)


@pytest.mark.parametrize("action", list(REFUSED))
def test_the_coordinators_post_is_valid_and_changes_something(action, client, world):
    """The control: the data posted below is good enough to change the database."""
    url, data = _post(world, action)
    client = _client_for(client, world, "coordinator")
    before = snapshot()
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert snapshot() != before


@pytest.mark.parametrize(
    ("action", "role"), [(action, role) for action, roles in REFUSED.items() for role in roles]
)
def test_a_refused_post_changes_nothing(action, role, client, world):
    url, data = _post(world, action)
    client = _client_for(client, world, role)
    before = snapshot()
    _check(client.post(url, data), "login" if role == "anonymous" else 403, url)
    assert snapshot() == before


def test_several_refusals_share_one_error_summary_above_the_banners(rf):
    from django.contrib.messages import constants
    from django.contrib.messages.storage.base import Message
    from django.template.loader import render_to_string

    messages = [
        Message(constants.SUCCESS, "Saved."),
        Message(constants.ERROR, "First refusal."),
        Message(constants.ERROR, "Second refusal."),
    ]
    html = render_to_string("components/messages.html", {"messages": messages, "form": None})
    assert html.count("govuk-error-summary__title") == 1
    assert html.index("First refusal.") < html.index("Second refusal.") < html.index("Saved.")
    assert html.count("govuk-notification-banner__title") == 1
