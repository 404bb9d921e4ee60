"""Who may do what with outcomes, indicators and returns, asked of ``partnership.permissions``.

- Co-ordinators of a body (or of the whole partnership) set up its outcomes, plans,
  indicators, targets and deadlines.
- An indicator's named lead, or the colleague a return is delegated to, writes its return.
- The owning body's co-ordinators and chair (or deputy) sign returns off or send them back;
  never one they submitted themselves (the service and a database constraint refuse it).
- Members of the owning body, its co-ordinators, its chair and the lead read its indicators and
  returns in full ("insiders"); everyone else sees only published indicators, and only their
  signed-off figures.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from partnership import permissions as perms
from partnership.models import Body, Partnership
from performance.models import (
    GOVERNANCE_LEAD_APPROVED,
    PUBLISHED_KINDS,
    CommissioningAgreement,
    Indicator,
    KeyPartnership,
    KeyPartnershipReviewAction,
    Report,
    ReportKind,
    ReportStatus,
    Return,
    Risk,
)

# Reports that are a register as it stood: never written on, approved or published.
REGISTER_KINDS = (ReportKind.RISK_REGISTER, ReportKind.KEY_PARTNERSHIP_REGISTER)


def can_manage_performance(user: Any, body: Body) -> bool:
    return perms.can_manage_body(user, body)


def can_sign_off(user: Any, body: Body) -> bool:
    return perms.can_manage_body(user, body) or perms.can_chair_body(user, body)


def is_insider(user: Any, indicator: Indicator) -> bool:
    """Reads the indicator's returns in full: drafts aside, every submitted figure."""
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        indicator.lead_id == user.pk
        or perms.can_view_private_body(user, indicator.body)
        or perms.can_chair_body(user, indicator.body)
    )


def can_see_indicator(user: Any, indicator: Indicator) -> bool:
    return indicator.published or is_insider(user, indicator)


def can_write_return(user: Any, indicator: Indicator, ret: Return | None) -> bool:
    """The named lead, or the colleague this period's return is delegated to."""
    if not getattr(user, "is_authenticated", False):
        return False
    return indicator.lead_id == user.pk or (ret is not None and ret.delegate_id == user.pk)


# --- reports ------------------------------------------------------------------------------------
#
# - A report's body's co-ordinators (and the partnership's) build it, submit it, rebuild it, put a
#   six-monthly report on an agenda and publish an annual report or newsletter.
# - The chair approves a chair-approved kind, or returns it; the deputy chair when the chair is
#   unavailable. The partnership's governance lead approves a kind of ``GOVERNANCE_LEAD_APPROVED``
#   (the key partnerships report) instead of a chair (governance.services.approval decides who).
# - The narrative is written while the report is a draft or returned, by the co-ordinators and
#   the approvers.
# - A report is read by its body's members, chair and co-ordinators; by the members of the body
#   on whose agenda it was put, once its paper is circulated; and by the public when it is public
#   (``is_public_report``). ``performance.selectors.reports_for`` asks the same in the database.
# - The key partnerships report is also read by the register's keepers (the governance lead
#   who approves it), and the register's PDF by everyone who reads the register
#   (``can_read_key_partnerships``).


def is_public_report(report: Report) -> bool:
    """Published (an annual report or newsletter), or approved with its paper circulated on a
    non-confidential item of a meeting whose agenda was published. A report with unpublished
    indicators never is."""
    from governance.selectors import PUBLIC_STATUSES

    if report.kind in PUBLISHED_KINDS:
        return report.published_at is not None and report.status == ReportStatus.APPROVED
    if report.status != ReportStatus.APPROVED or report.agenda_item_id is None:
        return False
    if report.facts.get("has_unpublished") is not False:
        return False
    item = report.agenda_item
    meeting = item.meeting
    # Its paper, as the meeting's rules have it: public once circulated, never confidential.
    paper = report.paper
    if item.confidential or paper is None or paper.confidential or paper.circulated_at is None:
        return False
    return meeting.status in PUBLIC_STATUSES and meeting.published_at is not None


def can_manage_report(user: Any, report: Report) -> bool:
    """Build, submit, rebuild, place on an agenda, publish: the body's co-ordinators."""
    return perms.can_manage_body(user, report.body)


def can_approve_report(user: Any, report: Report) -> bool:
    from governance.services import approval

    by_lead = report.kind in GOVERNANCE_LEAD_APPROVED
    if not (report.needs_chair or by_lead) or not report.is_open:
        return False
    return (
        approval.acting_as(
            person=user,
            body=report.body,
            chair_unavailable=report.chair_unavailable,
            by_governance_lead=by_lead,
        )
        is not None
    )


def can_edit_report(user: Any, report: Report) -> bool:
    """Write the narrative: while a draft or returned, the co-ordinators and, for a kind the
    chair approves, the chair (and the deputy when they may approve); for a kind the governance
    lead approves, the governance lead."""
    if not getattr(user, "is_authenticated", False):
        return False
    from governance.services import approval

    if report.status not in approval.EDITABLE or report.kind in REGISTER_KINDS:
        # A register is the register as it stood: there is nothing to write on it.
        return False
    return can_manage_report(user, report) or can_approve_report(user, report)


def can_see_report(user: Any, report: Report) -> bool:
    if is_public_report(report):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    body = report.body
    if perms.can_view_private_body(user, body) or perms.can_chair_body(user, body):
        return True
    if report.kind == ReportKind.KEY_PARTNERSHIPS:
        if can_keep_key_partnerships(user, report.partnership):
            return True
    elif report.kind == ReportKind.KEY_PARTNERSHIP_REGISTER:
        return can_read_key_partnerships(user, report.partnership)
    # Once its paper is out, the members of the body whose meeting it is read it (as they read
    # the paper).
    if report.status == ReportStatus.APPROVED and report.paper_id is not None:
        if report.paper.circulated_at is None:
            return False
        return perms.can_view_private_body(user, report.agenda_item.meeting.body)
    return False


# --- risks --------------------------------------------------------------------------------------
#
# - A body's register is kept by its members, chair and co-ordinators (and the partnership's).
# - A risk is read by them, by its owner (while they sit on a body of the partnership), and,
#   while it is escalated, by the members, chair and co-ordinators of the body it is escalated
#   to (who decide on it), and, while an acceptance above appetite stands, of the body that
#   accepted it; and by the owners of its controls while they sit on a body of the
#   partnership. Never by the public: a published summary counts risks, it shows none.
# - The risk owner reviews it each quarter, or the owning body's co-ordinators do.


def can_manage_risks(user: Any, body: Body) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return perms.can_view_private_body(user, body) or perms.can_chair_body(user, body)


def is_active_owner(user: Any, risk: Risk) -> bool:
    """The risk's owner, while they sit on a body of its partnership: ownership gives rights
    only as long as the memberships behind it."""
    return risk.owner_id == user.pk and sits_in_partnership(user, risk.partnership_id)


def sits_in_partnership(user: Any, partnership_id: int) -> bool:
    """Whether the user holds a current membership of a body of the partnership (asked once a
    request for each partnership)."""
    from membership.models import Membership

    cache = user.__dict__.setdefault("_sits_in_partnership", {})
    if partnership_id not in cache:
        cache[partnership_id] = (
            Membership.objects.current()
            .filter(person_id=user.pk, body__partnership_id=partnership_id)
            .exists()
        )
    return cache[partnership_id]


def can_see_risk(user: Any, risk: Risk) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if is_active_owner(user, risk) or can_manage_risks(user, risk.body):
        return True
    if risk.escalated_to_id is not None and can_manage_risks(user, risk.escalated_to):
        return True
    # The owner of one of its controls, while they sit on a body of the partnership: they
    # must know what they act on.
    if risk.controls.filter(owner_id=user.pk).exists() and sits_in_partnership(
        user, risk.partnership_id
    ):
        return True
    # Accepted above appetite by the body its body reports to, while the acceptance stands.
    parent = risk.body.parent
    return (
        parent is not None
        and risk.acceptances.filter(expires_on__gte=timezone.localdate(), body=parent).exists()
        and can_manage_risks(user, parent)
    )


def can_review_risk(user: Any, risk: Risk) -> bool:
    if not getattr(user, "is_authenticated", False) or not risk.is_open:
        return False
    return is_active_owner(user, risk) or perms.can_manage_body(user, risk.body)


# --- key partnerships ---------------------------------------------------------------------------
#
# - The register is kept by the partnership's co-ordinators and its governance lead ("keepers"):
#   they add, change and end key partnerships, set the review period and publish the register.
# - A key partnership's lead officer (while they sit on a body of the partnership) and the
#   keepers record its reviews.
# - Anyone who sits on a body of the partnership reads the whole register, every field; the
#   public reads its public fields (``PUBLIC_FIELDS``) when the partnership publishes it.


def can_keep_key_partnerships(user: Any, partnership: Partnership) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return perms.can_manage_partnership(user, partnership) or perms.can_lead_governance(
        user, partnership
    )


def can_read_key_partnerships(user: Any, partnership: Partnership) -> bool:
    """Every field of every record: the keepers and anyone sitting on a body."""
    if not getattr(user, "is_authenticated", False):
        return False
    return can_keep_key_partnerships(user, partnership) or sits_in_partnership(user, partnership.pk)


def register_is_published(partnership: Partnership) -> bool:
    from performance.models import KeyPartnershipSettings

    return KeyPartnershipSettings.objects.filter(
        partnership=partnership, publish_register=True
    ).exists()


def can_review_key_partnership(user: Any, key_partnership: KeyPartnership) -> bool:
    if not getattr(user, "is_authenticated", False) or not key_partnership.is_active:
        return False
    partnership = key_partnership.partnership
    if can_keep_key_partnerships(user, partnership):
        return True
    return key_partnership.lead_officer_id == user.pk and sits_in_partnership(user, partnership.pk)


def can_complete_review_action(user: Any, action: KeyPartnershipReviewAction) -> bool:
    """An action is marked done by its owner (while they sit in the partnership) or by the
    keepers of the register. ``action.review.key_partnership.partnership`` must be loaded."""
    if not getattr(user, "is_authenticated", False):
        return False
    partnership = action.review.key_partnership.partnership
    if can_keep_key_partnerships(user, partnership):
        return True
    return action.owner_id == user.pk and sits_in_partnership(user, partnership.pk)


# --- commissioning agreements -------------------------------------------------------------------
#
# - A commissioning body's co-ordinators (and the partnership's) add and change its agreements.
# - An agreement is read by the commissioning body's members, chair and co-ordinators, by its
#   supervising person (while they sit on a body of the partnership) and by the governance lead.
#   Never by the public: agreements hold prices and the provider's people.
# - Its reviews are recorded by the supervising person or the body's co-ordinators.


def can_manage_agreements(user: Any, body: Body) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return perms.can_manage_body(user, body)


def can_see_agreement(user: Any, agreement: CommissioningAgreement) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    body = agreement.commissioning_body
    if can_manage_risks(user, body) or perms.can_lead_governance(user, agreement.partnership):
        return True
    return agreement.supervisor_id == user.pk and sits_in_partnership(
        user, agreement.partnership_id
    )


def can_review_agreement(user: Any, agreement: CommissioningAgreement) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if perms.can_manage_body(user, agreement.commissioning_body):
        return True
    return agreement.supervisor_id == user.pk and sits_in_partnership(
        user, agreement.partnership_id
    )
