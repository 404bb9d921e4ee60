"""The kinds of message people are sent, and each person's choice of how they hear of each kind:
an e-mail straight away, a line in their daily digest (partnership/digests.py), or nothing (the
message is still in Messages). ``partnership.notifications`` sends by these choices and
re-exports the registry, so callers need only that module.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from partnership.history import record_actor
from partnership.models import Delivery, Notice, NotificationPreference, NotificationSettings

# --- the kinds of message ----------------------------------------------------------------------


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    hint: str
    # Only for the required kind: why it cannot be turned off, as the preferences page says.
    why: str = ""
    # Whether a daily digest is offered; if not, ``no_digest`` says why (on the page).
    digest: bool = True
    no_digest: str = ""

    @property
    def required(self) -> bool:
        return self.key == REQUIRED


REQUIRED = "required"
# What a digest's one-click link turns off: every kind the person has delivered by digest.
DIGEST = "digest"

CATEGORIES: dict[str, Category] = {
    c.key: c
    for c in (
        Category(
            "papers",
            "Papers published and circulated",
            "Agendas and papers sent out, minutes to approve or sent back, and apologies.",
        ),
        Category(
            "reminders",
            "Reminders and chasers",
            "Late papers, overdue actions, minutes awaiting approval, unsigned agreements, "
            "returns and reviews due, and the weekly vacancies.",
        ),
        Category(
            "registers",
            "Registers of interests and gifts",
            "Declarations to rule on, disputed rulings, gifts over the threshold, and your "
            "interests in coming agenda items.",
        ),
        Category(
            "elections",
            "Elections",
            "Reminders to vote before an election closes.",
            digest=False,
            no_digest="Election reminders come straight away or not at all: a digest could "
            "arrive after voting has closed.",
        ),
        Category(
            "performance",
            "Performance returns and reports",
            "Returns sent back, signed off or passed to you, and reports to draft or approve.",
        ),
        Category("risk", "Risks", "Risks escalated to a board, and de-escalated."),
        Category(
            REQUIRED,
            "What the partnership must tell you",
            "A new version of the partnership agreement, rulings on your own declarations of "
            "interest, the outcome of your membership review, and your account's security.",
            why="The partnership agreement obliges the partnership to tell every member in "
            "writing of a new agreement and of a ruling on their interests; and you need to "
            "know at once of any change to how you sign in, in case it was not you.",
        ),
    )
}
OPTIONAL = [c for c in CATEGORIES.values() if not c.required]
DEFAULT_DIGEST_HOUR: int = NotificationSettings._meta.get_field("digest_hour").default

# Each e-mail template sent through notify/notify_once, and its kind. A template missing here
# is sent straight away (tests/partnership/test_notifications.py makes sure none is missing).
TEMPLATE_CATEGORY: dict[str, str] = {
    "agreement_issued": REQUIRED,
    "ruling_made": REQUIRED,
    "ruling_settled": REQUIRED,
    "second_factor_reset": REQUIRED,
    "second_factor_set_up": REQUIRED,
    "second_factor_wrong_codes": REQUIRED,
    "papers_circulated": "papers",
    "minutes_submitted": "papers",
    "minutes_returned": "papers",
    "apologies_received": "papers",
    "action_overdue": "reminders",
    "agreement_unsigned": "reminders",
    "minutes_awaiting": "reminders",
    "paper_late": "reminders",
    "register_confirm": "reminders",
    "returns_digest": "reminders",
    "review_notice": "reminders",
    "vacancies_weekly": "reminders",
    "report_awaiting": "reminders",
    "declaration_to_rule": "registers",
    "gift_over_threshold": "registers",
    "interest_reminder": "registers",
    "ruling_disputed": "registers",
    "election_reminder": "elections",
    "election_officer_named": "elections",
    "election_count_needed": "elections",
    "election_key_dealt": "elections",
    "key_partnership_actions": "performance",
    "report_approved": "performance",
    "report_drafted": "performance",
    "report_failed": "performance",
    "report_not_placed": "performance",
    "report_ready": "performance",
    "report_returned": "performance",
    "report_submitted": "performance",
    "return_delegated": "performance",
    "return_reopened": "performance",
    "return_sent_back": "performance",
    "return_signed_off": "performance",
    "risk_escalated": "risk",
    "risk_de_escalated": "risk",
}
# One template told of different things: the outcome of a person's own membership review is
# theirs to know (required); the same template's chasers to the chair are reminders.
KEY_CATEGORY: dict[str, str] = {"membership-review-outcome-": REQUIRED}


def category_of(template: str, key: str = "") -> str:
    for prefix, category in KEY_CATEGORY.items():
        if key.startswith(prefix):
            return category
    return TEMPLATE_CATEGORY.get(template, REQUIRED)


# --- people's choices --------------------------------------------------------------------------


def notification_choices(*, person) -> dict[str, str]:
    """The person's delivery for each optional kind (immediate where they chose nothing)."""
    chosen = dict(
        NotificationPreference.objects.filter(person=person).values_list("category", "delivery")
    )
    return {c.key: chosen.get(c.key, Delivery.IMMEDIATE) for c in OPTIONAL}


def delivery_offered(category: str, delivery: str) -> str:
    """The delivery a kind gets for a choice: a digest choice of a kind that offers none (a row
    written before it stopped being offered) is sent straight away."""
    if delivery == Delivery.DIGEST and not CATEGORIES[category].digest:
        return Delivery.IMMEDIATE
    return delivery


def digest_wanted(*, person) -> bool:
    """Whether the person has any kind in their digest, or messages still waiting for one."""
    return (
        NotificationPreference.objects.filter(person=person, delivery=Delivery.DIGEST).exists()
        or Notice.objects.filter(recipient=person, digest_pending=True).exists()
    )


def digest_hour_of(*, person) -> int:
    found = NotificationSettings.objects.filter(person=person).first()
    return found.digest_hour if found else DEFAULT_DIGEST_HOUR


def _lock(person) -> None:
    """Serialise changes to one person's choices, so two at once (two tabs, a mail client's
    one-click POST) cannot both find no row and both insert one."""
    get_user_model().objects.select_for_update().filter(pk=person.pk).first()


def _choose(*, person, actor, category: str, delivery: str, reason: str) -> bool:
    """One kind's choice, saved (with its history) only if it changes. Messages waiting for a
    digest of a kind turned off are not sent after all: they stay in Messages."""
    for attempt in range(2):
        current = NotificationPreference.objects.filter(person=person, category=category).first()
        if (current.delivery if current else Delivery.IMMEDIATE) == delivery:
            return False
        choice = current or NotificationPreference(person=person, category=category)
        choice.delivery = delivery
        record_actor(choice, actor=actor, reason=reason)
        try:
            with transaction.atomic():
                choice.save()
            break
        except IntegrityError:
            # Another request made the first choice of this kind meanwhile (where the
            # database cannot lock the person's row): read it, and choose again.
            if attempt:
                raise
    if delivery == Delivery.OFF:
        Notice.objects.filter(recipient=person, category=category, digest_pending=True).update(
            digest_pending=False
        )
    return True


@transaction.atomic
def notification_preferences_update(
    *, actor, person, choices: dict[str, str], digest_hour: int
) -> int:
    """Save the person's choice for each optional kind and their digest hour. Returns how many
    things changed."""
    _lock(person)
    changed = 0
    for category, delivery in choices.items():
        if category not in CATEGORIES or CATEGORIES[category].required:
            raise ValueError(f"{category!r} is not a kind of message that can be chosen")
        if delivery_offered(category, delivery) != delivery:
            raise ValueError(f"{category!r} is not offered in a daily digest")
        changed += _choose(
            person=person, actor=actor, category=category, delivery=delivery, reason="Chosen"
        )
    hour, _ = NotificationSettings.objects.get_or_create(person=person)
    if hour.digest_hour != digest_hour:
        hour.digest_hour = digest_hour
        record_actor(hour, actor=actor, reason="Chosen")
        hour.save(update_fields=["digest_hour"])
        changed += 1
    return changed


@transaction.atomic
def notification_unsubscribe(*, person, category: str) -> list[str]:
    """One-click unsubscribe: turn e-mail off for ``category`` (or, for ``DIGEST``, for every
    kind the person has in their digest, and drop every message still waiting for it, of
    whatever kind). Returns the kinds turned off; safe to repeat."""
    _lock(person)
    if category == DIGEST:
        Notice.objects.filter(recipient=person, digest_pending=True).update(digest_pending=False)
        kinds = list(
            NotificationPreference.objects.filter(
                person=person, delivery=Delivery.DIGEST
            ).values_list("category", flat=True)
        )
    else:
        kinds = [category]
    for kind in kinds:
        _choose(
            person=person,
            actor=None,
            category=kind,
            delivery=Delivery.OFF,
            reason="Turned off by the link in an e-mail",
        )
    return kinds
