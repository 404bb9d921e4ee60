"""The demo partnership's agreement: version 2026, agreed by the Partnership Board three weeks
before the demo was loaded, issued, and signed by everyone except the demo member (Daniel
Okafor, member@mercia-vale.example), who signs it from his account page, and the two people
who were invited and have never signed in. Built through the services, as the lead would."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from membership import services
from membership.models import AgreementVersion, User
from membership.selectors import agreement_signatories
from partnership.models import Body, BodyKind, Partnership
from partnership.pdf import render_pdf

UNSIGNED = {"member@mercia-vale.example"}
SECTIONS = [
    (
        "1. Purpose",
        "The partners agree to work together to improve the economic, social and "
        "environmental well-being of Mercia Vale, through the Sustainable Community Strategy.",
    ),
    (
        "2. Structure",
        "The Partnership Board sets the strategy; the Delivery Board and the thematic groups "
        "deliver it; each body reports to the one above it.",
    ),
    (
        "3. Membership and elections",
        "Each body elects its chair and deputy chair. Seats are held by organisations, which "
        "nominate their representatives.",
    ),
    (
        "4. Meetings and decisions",
        "Papers go out a week before each meeting. Members declare their interests and take "
        "no part in decisions they have an interest in.",
    ),
    (
        "5. Commitment",
        "Every member signs this agreement and works by it, and by the partnership's code of "
        "conduct.",
    ),
]


@transaction.atomic
def demo_agreement_load(*, partnership: Partnership) -> AgreementVersion | None:
    """Load the demo agreement once; returns None if the partnership already has one."""
    if partnership.agreement_versions.exists():
        return None
    lead = User.objects.get(email="governance@mercia-vale.example")
    board = Body.objects.get(partnership=partnership, kind=BodyKind.PARTNERSHIP_BOARD)
    pdf = render_pdf(
        template="membership/pdf/agreement.html",
        context={"partnership": partnership, "label": "2026", "sections": SECTIONS},
    )
    version = services.agreement_version_upload(
        actor=lead,
        partnership=partnership,
        label="2026",
        what_changed="The first version kept in the app. It adds the code of conduct "
        "(section 5) and adds the three area partnership boards, which report to the Board.",
        upload=("mercia-vale-partnership-agreement-2026.pdf", pdf),
    )
    services.agreement_record_approval(
        actor=lead,
        version=version,
        body=board,
        agreed_on=timezone.localdate() - timedelta(days=21),
    )
    services.agreement_issue(actor=lead, version=version)
    for person in agreement_signatories(partnership=partnership):
        if person.email not in UNSIGNED and person.has_usable_password():
            services.agreement_sign(actor=person, version=version)
    return version
