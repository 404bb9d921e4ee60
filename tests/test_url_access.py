"""Every URL, for every role: who gets the page, who is sent to sign in, who is refused.

A new URL without a row here fails test_every_url_is_in_the_matrix.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import UserFactory

ROLES = [
    "anonymous",
    "outsider",
    "other_member",
    "member",
    "chair",
    "group_coordinator",
    "coordinator",
]
PUBLIC = dict.fromkeys(ROLES, 200)
SIGNED_IN = {**dict.fromkeys(ROLES, 200), "anonymous": "login"}
PARTNERSHIP_COORDINATOR = {**dict.fromkeys(ROLES, 403), "anonymous": "login", "coordinator": 200}
GROUP_COORDINATORS = {**PARTNERSHIP_COORDINATOR, "group_coordinator": 200}
# Nobody in the world is the governance lead: every role is refused.
GOVERNANCE_LEAD_ONLY = {**dict.fromkeys(ROLES, 403), "anonymous": "login"}
FOOTER_PAGES = ["accessibility", "privacy", "cookies", "contact"]


def urls(w):
    p = w.partnership.slug
    board = {"partnership": p, "body": w.board.slug}
    group = {"partnership": p, "body": w.group.slug}
    sub = {"partnership": p, "body": w.subgroup.slug}
    return [
        ("home", {}, dict.fromkeys(ROLES, 302)),
        ("membership:structure", {"partnership": p}, PUBLIC),
        ("partnership:organisation_list", {"partnership": p}, PUBLIC),
        ("membership:body", board, PUBLIC),
        ("membership:body", sub, PUBLIC),
        ("partnership:body_create", {"partnership": p}, GROUP_COORDINATORS),
        ("partnership:body_edit", board, PARTNERSHIP_COORDINATOR),
        ("partnership:body_edit", group, GROUP_COORDINATORS),
        ("partnership:body_edit", sub, GROUP_COORDINATORS),
        ("membership:body_close", board, PARTNERSHIP_COORDINATOR),
        ("membership:body_close", sub, GROUP_COORDINATORS),
        ("membership:seat_create", board, PARTNERSHIP_COORDINATOR),
        ("membership:seat_create", group, GROUP_COORDINATORS),
        ("membership:seat_edit", {**board, "pk": w.board_seat.pk}, PARTNERSHIP_COORDINATOR),
        ("membership:seat_edit", {**group, "pk": w.group_seat.pk}, GROUP_COORDINATORS),
        ("membership:membership_create", board, PARTNERSHIP_COORDINATOR),
        ("membership:membership_create", group, GROUP_COORDINATORS),
        (
            "membership:membership_detail",
            {**board, "pk": w.member_membership.pk},
            PARTNERSHIP_COORDINATOR,
        ),
        (
            "membership:membership_end",
            {**board, "pk": w.member_membership.pk},
            PARTNERSHIP_COORDINATOR,
        ),
        ("partnership:organisation_create", {"partnership": p}, PARTNERSHIP_COORDINATOR),
        (
            "partnership:organisation_edit",
            {"partnership": p, "pk": w.council.pk},
            PARTNERSHIP_COORDINATOR,
        ),
        ("membership:appointment_list", {"partnership": p}, PARTNERSHIP_COORDINATOR),
        ("account:home", {}, SIGNED_IN),
        ("account:profile", {}, SIGNED_IN),
        ("account:tasks", {}, SIGNED_IN),
        ("account:password_change", {}, SIGNED_IN),
        # Browsers POST reports of Content-Security-Policy breaches; a GET is not allowed.
        ("csp_report", {}, dict.fromkeys(ROLES, 405)),
        ("account:sign_out_everywhere", {}, SIGNED_IN),
        # The second factor. Everyone here has given it (force_login): its sign-in pages send
        # them on; nobody has an app yet, so each may set one up. The gate itself, for a
        # password alone, is tests/membership/test_two_factor.py.
        ("two_factor", {}, {**dict.fromkeys(ROLES, 302), "anonymous": "login"}),
        ("two_factor_recovery", {}, {**dict.fromkeys(ROLES, 302), "anonymous": "login"}),
        ("two_factor_set_up", {}, SIGNED_IN),
        ("two_factor_recovery_codes", {}, {**dict.fromkeys(ROLES, 302), "anonymous": "login"}),
        ("account:two_factor", {}, SIGNED_IN),
        (
            "account:two_factor_recovery_codes_new",
            {},
            {**dict.fromkeys(ROLES, 405), "anonymous": "login"},
        ),
        (
            "membership:second_factor_reset",
            {**board, "pk": w.member_membership.pk},
            PARTNERSHIP_COORDINATOR,
        ),
        ("login", {}, {**PUBLIC, **{r: 302 for r in ROLES if r != "anonymous"}}),
        ("password_reset", {}, PUBLIC),
        ("password_reset_done", {}, PUBLIC),
        ("password_reset_complete", {}, PUBLIC),
        # The footer's pages: site-wide defaults and the partnership's own, public; editing is
        # the governance lead's (tests/test_footer_pages.py signs one in).
        *[("site_page", {"kind": k}, PUBLIC) for k in FOOTER_PAGES],
        *[("partnership:page", {"partnership": p, "kind": k}, PUBLIC) for k in FOOTER_PAGES],
        *[
            ("partnership:page_edit", {"partnership": p, "kind": k}, GOVERNANCE_LEAD_ONLY)
            for k in FOOTER_PAGES
        ],
    ]


def _client_for(client, world, role):
    if role != "anonymous":
        client.force_login(getattr(world, role))
    return client


def drain(response) -> bytes:
    """The body. A file response's file is closed by hand: response.close() would also
    signal the end of a request, which closes the test's database connection."""
    if not getattr(response, "streaming", False):
        return response.content
    body = b"".join(response.streaming_content)
    if getattr(response, "file_to_stream", None) is not None:
        response.file_to_stream.close()
    return body


def _check(response, expected, url):
    drain(response)
    if expected == "login":
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url
    else:
        assert response.status_code == expected, url


@pytest.mark.parametrize("role", ROLES)
def test_get_every_url_as(role, client, world):
    client = _client_for(client, world, role)
    for name, kwargs, expected in urls(world):
        url = reverse(name, kwargs=kwargs)
        _check(client.get(url), expected[role], url)


@pytest.mark.parametrize("role", ROLES)
def test_post_to_appointment_end_as(role, client, world):
    client = _client_for(client, world, role)
    appointment = world.group_coordinator.appointments.get()
    url = reverse(
        "membership:appointment_end",
        kwargs={"partnership": world.partnership.slug, "pk": appointment.pk},
    )
    response = client.post(url)
    expected = {**PARTNERSHIP_COORDINATOR, "coordinator": 302}[role]
    _check(response, expected, url)
    appointment.refresh_from_db()
    assert (appointment.ends_on is not None) == (role == "coordinator")


@pytest.mark.parametrize("role", ["outsider", "member", "chair", "group_coordinator"])
def test_refused_roles_change_nothing_by_posting(role, client, world):
    client = _client_for(client, world, role)
    url = reverse(
        "membership:membership_end",
        kwargs={
            "partnership": world.partnership.slug,
            "body": world.board.slug,
            "pk": world.member_membership.pk,
        },
    )
    response = client.post(url, {"ends_on_day": "1", "ends_on_month": "1", "ends_on_year": "2027"})
    assert response.status_code == 403
    world.member_membership.refresh_from_db()
    assert world.member_membership.ends_on is None


def test_an_id_from_another_body_is_not_found(client, world):
    """Changing the id in the URL cannot reach another body's records, even for a co-ordinator."""
    client.force_login(world.coordinator)
    p = world.partnership.slug
    wrong = [
        reverse(
            "membership:membership_detail",
            kwargs={"partnership": p, "body": world.board.slug, "pk": world.other_membership.pk},
        ),
        reverse(
            "membership:membership_end",
            kwargs={"partnership": p, "body": world.board.slug, "pk": world.other_membership.pk},
        ),
        reverse(
            "membership:seat_edit",
            kwargs={"partnership": p, "body": world.board.slug, "pk": world.other_seat.pk},
        ),
    ]
    for url in wrong:
        assert client.get(url).status_code == 404, url


def test_a_group_coordinator_cannot_reach_another_group_by_its_slug(client, world):
    client.force_login(world.group_coordinator)
    url = reverse(
        "membership:membership_detail",
        kwargs={
            "partnership": world.partnership.slug,
            "body": world.other.slug,
            "pk": world.other_membership.pk,
        },
    )
    assert client.get(url).status_code == 403


def test_an_unknown_body_is_not_found(client, world):
    url = reverse("membership:body", kwargs={"partnership": world.partnership.slug, "body": "nope"})
    assert client.get(url).status_code == 404


def _all_url_names(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            if pattern.app_name == "admin":
                continue
            yield from _all_url_names(pattern, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield prefix + pattern.name


def test_every_url_is_in_the_matrix(world):
    from tests.governance.test_library_views import LIBRARY_URLS
    from tests.governance.test_proposal_views import PROPOSAL_URLS
    from tests.governance.test_register_views import REGISTER_URLS
    from tests.governance.test_url_access import GOVERNANCE_URLS
    from tests.membership.test_restructure_views import RESTRUCTURE_URLS
    from tests.membership.test_review_views import REVIEW_URLS
    from tests.membership.test_training import TRAINING_URLS
    from tests.partnership.test_alert_views import ALERT_URLS
    from tests.partnership.test_notification_views import NOTIFICATION_URLS
    from tests.partnership.test_search_views import SEARCH_URLS
    from tests.performance.test_agreement_views import AGREEMENT_URLS
    from tests.performance.test_board_report_views import BOARD_REPORT_URLS
    from tests.performance.test_dashboards import DASHBOARD_URLS
    from tests.performance.test_key_partnership_views import KEY_PARTNERSHIP_URLS
    from tests.performance.test_partnership_reviews import KEY_PARTNERSHIP_REVIEW_URLS
    from tests.performance.test_report_views import REPORT_URLS
    from tests.performance.test_reports_key_partnerships import KP_REPORT_URLS
    from tests.performance.test_return_views import RETURN_URLS
    from tests.performance.test_risk_summary import RISK_SUMMARY_URLS
    from tests.performance.test_risk_transfer import RISK_TRANSFER_URLS
    from tests.performance.test_risk_urls import RISK_URLS
    from tests.performance.test_setup_views import SETUP_URLS
    from tests.performance.test_transfer import TRANSFER_URLS

    covered = (
        {name for name, _, _ in urls(world)}
        | GOVERNANCE_URLS
        | REGISTER_URLS
        | DASHBOARD_URLS
        | RETURN_URLS
        | REPORT_URLS
        | BOARD_REPORT_URLS
        | SETUP_URLS
        | TRANSFER_URLS
        | RISK_URLS
        | RISK_TRANSFER_URLS
        | RISK_SUMMARY_URLS
        | KEY_PARTNERSHIP_URLS
        | KEY_PARTNERSHIP_REVIEW_URLS
        | KP_REPORT_URLS
        | AGREEMENT_URLS
        | TRAINING_URLS
        | RESTRUCTURE_URLS
        | REVIEW_URLS
        | PROPOSAL_URLS
        | SEARCH_URLS
        | NOTIFICATION_URLS
        | ALERT_URLS
        | LIBRARY_URLS
        | {
            "membership:appointment_end",  # POST only: test_post_to_appointment_end_as
            "logout",  # POST only: the browser journey signs out
            "password_reset_confirm",  # needs a token: tests/membership/test_views.py
            # Elections: test_election_urls_as and the test_post_* tests below.
            "membership:election_list",
            "membership:election_detail",
            "membership:election_create",
            "membership:ballot",
            "membership:candidate_respond",
            "membership:election_close",
            "membership:candidate_propose",
            "membership:candidate_second",
            "membership:election_cancel",
            "membership:election_reballot",
            # Counting officers: test_election_officer_urls_as and test_post_to_election_void_as.
            "membership:election_officers",
            "membership:election_counting",
            "membership:election_void",
            "membership:election_rerun",
            # The bulletin board, public once counted: test_election_board_urls_as.
            "membership:election_board",
            "membership:election_board_json",
            # The agreement: test_agreement_urls_as and test_post_to_agreement_*_as.
            "membership:agreement",
            "membership:agreement_upload",
            "membership:agreement_signatures",
            "membership:agreement_version",
            "membership:agreement_file",
            "membership:agreement_sign",
            "membership:agreement_issue",
        }
    )
    assert set(_all_url_names()) - covered == set()


@pytest.fixture
def contest(world):
    from tests.membership.elections_helpers import chair_election, set_phase, stand

    voter = UserFactory()
    from membership import services as ms

    ms.membership_create(
        actor=None, body=world.board, seat=world.board_seat, person=voter, starts_on=world.start
    )
    election = chair_election(world)
    candidate = stand(election, world.member, world.chair, voter)
    return set_phase(election, "voting"), candidate


@pytest.mark.parametrize("role", ROLES)
def test_election_urls_as(role, client, world, contest):
    election, candidate = contest
    client = _client_for(client, world, role)
    board = {"partnership": world.partnership.slug, "body": world.board.slug}
    voters = {**dict.fromkeys(ROLES, 403), "anonymous": "login", "chair": 200, "member": 200}
    candidate_only = {**dict.fromkeys(ROLES, 403), "anonymous": "login", "member": 200}
    for name, kwargs, expected in [
        ("membership:election_list", board, PUBLIC),
        ("membership:election_detail", {**board, "pk": election.pk}, PUBLIC),
        ("membership:election_create", board, PARTNERSHIP_COORDINATOR),
        ("membership:ballot", {**board, "pk": election.pk}, voters),
        (
            "membership:candidate_respond",
            {**board, "pk": election.pk, "candidate": candidate.pk},
            candidate_only,
        ),
    ]:
        url = reverse(name, kwargs=kwargs)
        _check(client.get(url), expected[role], url)


@pytest.mark.parametrize("role", ROLES)
def test_post_to_election_close_as(role, client, world, contest):
    from tests.membership.elections_helpers import set_phase

    election, _ = contest
    set_phase(election, "counting")
    client = _client_for(client, world, role)
    url = reverse(
        "membership:election_close",
        kwargs={"partnership": world.partnership.slug, "body": world.board.slug, "pk": election.pk},
    )
    _check(client.post(url), {**PARTNERSHIP_COORDINATOR, "coordinator": 302}[role], url)
    election.refresh_from_db()
    # Closing seals it: the counting officers count it.
    assert (election.status == "sealed") == (role == "coordinator")


@pytest.mark.parametrize("role", ROLES)
def test_election_officer_urls_as(role, client, world, contest):
    """Naming the officers is the co-ordinator's; the counting page is the officers' only (the
    helper's officers are none of the roles); the re-run form, of a void election only."""
    from membership import services as ms
    from tests.membership.elections_helpers import set_phase

    election, _ = contest
    client = _client_for(client, world, role)
    board = {"partnership": world.partnership.slug, "body": world.board.slug, "pk": election.pk}
    officers_only = {**dict.fromkeys(ROLES, 403), "anonymous": "login"}
    for name, expected in [
        ("membership:election_officers", PARTNERSHIP_COORDINATOR),
        ("membership:election_counting", officers_only),
        # Not void: the co-ordinator is sent back to the election with the reason.
        ("membership:election_rerun", {**PARTNERSHIP_COORDINATOR, "coordinator": 302}),
    ]:
        url = reverse(name, kwargs=board)
        _check(client.get(url), expected[role], url)
    set_phase(election, "counting")
    ms.election_close(actor=None, election=election)
    ms.election_void(actor=None, election=election)
    url = reverse("membership:election_rerun", kwargs=board)
    _check(client.get(url), PARTNERSHIP_COORDINATOR[role], url)
    officer = election.officers.first()
    client.force_login(officer.person)
    _check(client.get(reverse("membership:election_counting", kwargs=board)), 200, "counting")


@pytest.mark.parametrize("role", ROLES)
def test_post_to_election_void_as(role, client, world, contest):
    from membership import services as ms
    from tests.membership.elections_helpers import set_phase

    election, _ = contest
    set_phase(election, "counting")
    ms.election_close(actor=None, election=election)
    client = _client_for(client, world, role)
    board = {"partnership": world.partnership.slug, "body": world.board.slug, "pk": election.pk}
    url = reverse("membership:election_void", kwargs=board)
    _check(client.post(url), {**PARTNERSHIP_COORDINATOR, "coordinator": 302}[role], url)
    election.refresh_from_db()
    assert (election.status == "void") == (role == "coordinator")


@pytest.mark.parametrize("role", ROLES)
def test_election_board_urls_as(role, client, world, contest):
    """The bulletin board is public once the election is counted, and no page before."""
    from membership import services as ms
    from tests.membership.elections_helpers import close

    election, candidate = contest
    client = _client_for(client, world, role)
    board = {"partnership": world.partnership.slug, "body": world.board.slug, "pk": election.pk}
    names = ["membership:election_board", "membership:election_board_json"]
    for name in names:
        url = reverse(name, kwargs=board)
        _check(client.get(url), 404, url)
    ms.ballot_cast(voter=world.member, election=election, choices=[candidate.pk])
    assert close(election).status == "closed"
    for name in names:
        url = reverse(name, kwargs=board)
        _check(client.get(url), 200, url)


@pytest.mark.parametrize("role", ROLES)
def test_post_nominations_as(role, client, world, contest):
    """Only voting members of the body may propose or second (members elsewhere get 403)."""
    from membership import services as ms
    from tests.membership.elections_helpers import set_phase

    election, candidate = contest
    set_phase(election, "nominations")
    proposal = ms.candidate_propose(actor=world.chair, election=election, person=world.chair)
    client = _client_for(client, world, role)
    board = {"partnership": world.partnership.slug, "body": world.board.slug, "pk": election.pk}
    voting = {**dict.fromkeys(ROLES, 403), "anonymous": "login", "chair": 302, "member": 302}
    url = reverse("membership:candidate_second", kwargs={**board, "candidate": proposal.pk})
    _check(client.post(url), voting[role], url)
    url = reverse("membership:candidate_propose", kwargs=board)
    # The member already stands: a voting member is shown the form again, the error by the field.
    proposing = {**voting, "chair": 200, "member": 200}
    _check(client.post(url, {"person": world.member.pk}), proposing[role], url)


@pytest.mark.parametrize("role", ROLES)
def test_post_to_election_cancel_and_reballot_as(role, client, world, contest):
    from tests.membership.elections_helpers import set_phase

    election, _ = contest
    set_phase(election, "nominations")
    client = _client_for(client, world, role)
    board = {"partnership": world.partnership.slug, "body": world.board.slug, "pk": election.pk}
    expected = {**PARTNERSHIP_COORDINATOR, "coordinator": 302}[role]
    # An empty re-ballot form is shown again with its error (200) to the co-ordinator.
    reballot = {**PARTNERSHIP_COORDINATOR, "coordinator": 200}[role]
    _check(client.post(reverse("membership:election_reballot", kwargs=board)), reballot, "reballot")
    _check(client.post(reverse("membership:election_cancel", kwargs=board)), expected, "cancel")
    election.refresh_from_db()
    assert (election.status == "cancelled") == (role == "coordinator")


@pytest.mark.parametrize("role", ROLES)
def test_post_a_ballot_as(role, client, world, contest):
    """Only the body's voting members may cast a ballot: anyone else posting a confirmed
    ballot is refused (or sent to sign in) and leaves no ballot and no record of a vote."""
    from membership.models import Ballot, Participation

    election, candidate = contest
    client = _client_for(client, world, role)
    board = {"partnership": world.partnership.slug, "body": world.board.slug, "pk": election.pk}
    voters = {**dict.fromkeys(ROLES, 403), "anonymous": "login", "chair": 200, "member": 200}
    url = reverse("membership:ballot", kwargs=board)
    _check(client.post(url, {"step": "confirm", "choices": [candidate.pk]}), voters[role], url)
    cast = voters[role] == 200
    assert Ballot.objects.filter(election=election).count() == (1 if cast else 0)
    assert Participation.objects.filter(election=election).count() == (1 if cast else 0)
    if cast:
        assert Participation.objects.filter(election=election, voter=getattr(world, role)).exists()


# --- the partnership agreement ------------------------------------------------------------------

AGREEMENT_ROLES = [*ROLES, "governance_lead"]
LEAD_ONLY = {**dict.fromkeys(AGREEMENT_ROLES, 403), "anonymous": "login", "governance_lead": 200}
# A draft does not exist for anyone but the governance lead and partnership co-ordinators.
DRAFT = {**dict.fromkeys(AGREEMENT_ROLES, 404), "coordinator": 200, "governance_lead": 200}


@pytest.fixture
def agreement(world, governance_lead):
    """An issued version and a draft, both uploaded by the governance lead."""
    from membership import services as ms
    from tests.governance.helpers import pdf_bytes

    def upload(label):
        return ms.agreement_version_upload(
            actor=governance_lead,
            partnership=world.partnership,
            label=label,
            what_changed="Changes.",
            upload=("agreement.pdf", pdf_bytes()),
        )

    issued = upload("2026")
    ms.agreement_record_approval(
        actor=governance_lead, version=issued, body=world.board, agreed_on=world.start
    )
    ms.agreement_issue(actor=governance_lead, version=issued)
    return issued, upload("2027")


def _agreement_client(client, world, governance_lead, role):
    if role == "governance_lead":
        client.force_login(governance_lead)
        return client
    return _client_for(client, world, role)


@pytest.mark.parametrize("role", AGREEMENT_ROLES)
def test_agreement_urls_as(role, client, world, governance_lead, agreement):
    issued, draft = agreement
    client = _agreement_client(client, world, governance_lead, role)
    p = {"partnership": world.partnership.slug}
    everyone = dict.fromkeys(AGREEMENT_ROLES, 200)
    coordinators = {**LEAD_ONLY, "coordinator": 200, "group_coordinator": 200}
    for name, kwargs, expected in [
        ("membership:agreement", p, everyone),
        ("membership:agreement_upload", p, LEAD_ONLY),
        ("membership:agreement_signatures", p, coordinators),
        ("membership:agreement_version", {**p, "pk": issued.pk}, everyone),
        ("membership:agreement_file", {**p, "pk": issued.pk}, everyone),
        ("membership:agreement_version", {**p, "pk": draft.pk}, DRAFT),
        ("membership:agreement_file", {**p, "pk": draft.pk}, DRAFT),
    ]:
        url = reverse(name, kwargs=kwargs)
        _check(client.get(url), expected[role], url)


@pytest.mark.parametrize("role", AGREEMENT_ROLES)
def test_post_to_agreement_sign_as(role, client, world, governance_lead, agreement):
    """Everyone with a place in the partnership signs; a draft cannot even be found."""
    from membership.models import AgreementSignature

    issued, draft = agreement
    client = _agreement_client(client, world, governance_lead, role)
    p = {"partnership": world.partnership.slug}
    signs = {**dict.fromkeys(AGREEMENT_ROLES, 302), "anonymous": "login", "outsider": 403}
    url = reverse("membership:agreement_sign", kwargs={**p, "pk": issued.pk})
    _check(client.post(url), signs[role], url)
    assert AgreementSignature.objects.filter(version=issued).count() == (signs[role] == 302)
    url = reverse("membership:agreement_sign", kwargs={**p, "pk": draft.pk})
    expected = {**DRAFT, "anonymous": "login", "coordinator": 302, "governance_lead": 302}
    _check(client.post(url), expected[role], url)
    assert not AgreementSignature.objects.filter(version=draft).exists()
    _check(client.get(url), "login" if role == "anonymous" else 405, url)


@pytest.mark.parametrize("role", AGREEMENT_ROLES)
def test_post_to_agreement_issue_and_record_as(role, client, world, governance_lead, agreement):
    _, draft = agreement
    client = _agreement_client(client, world, governance_lead, role)
    p = {"partnership": world.partnership.slug, "pk": draft.pk}
    day = world.start
    url = reverse("membership:agreement_version", kwargs=p)
    record = {
        "body": world.board.pk,
        "agreed_on_day": day.day,
        "agreed_on_month": day.month,
        "agreed_on_year": day.year,
    }
    expected = {**DRAFT, "coordinator": 403, "governance_lead": 302}
    _check(client.post(url, record), expected[role], url)
    url = reverse("membership:agreement_issue", kwargs=p)
    _check(client.post(url), {**expected, "anonymous": "login"}[role], url)
    draft.refresh_from_db()
    assert draft.is_issued == (role == "governance_lead")


def test_a_password_alone_reaches_nothing_but_the_second_factors_pages(world):
    """The co-ordinator (who may do most) signed in with the password only: every URL of the
    matrix, by GET and by POST, sends them to the code, bar the pages that ask for it."""
    from django.test import Client

    from membership import services
    from membership.middleware import OPEN
    from tests.conftest import PASSWORD

    services.second_factor_enrol(user=world.coordinator, key="31" * 20)
    client = Client()
    client.post(reverse("login"), {"username": world.coordinator.email, "password": PASSWORD})
    checked = 0
    for name, kwargs, _ in urls(world):
        if name in OPEN:
            continue
        url = reverse(name, kwargs=kwargs)
        for method in (client.get, client.post):
            response = method(url)
            drain(response)
            assert response.status_code == 302, (method.__name__, url)
            assert response["Location"].startswith(reverse("two_factor") + "?next="), url
            checked += 1
    assert checked > 60
