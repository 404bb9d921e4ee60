"""People and their places: accounts, seats on bodies, memberships and coordinator appointments."""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from partnership.history import audited
from partnership.models import Body, Organisation, Partnership, Sector
from partnership.storage import private_files


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who may sign in: a member, a coordinator or both. Signs in by e-mail."""

    email = models.EmailField("e-mail address", unique=True)
    full_name = models.CharField("full name", max_length=150)
    job_title = models.CharField("job title", max_length=150, blank=True)
    phone = models.CharField("telephone", max_length=40, blank=True)
    postal_address = models.TextField("postal address", blank=True)
    contact_public = models.BooleanField(
        "show my contact details to the public",
        default=False,
        help_text="Your name, job title, organisation and role are always public while you sit "
        "on a body. Fellow members and co-ordinators of your bodies always see your contact "
        "details.",
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField("staff status", default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # Part of every session's check (get_session_auth_hash): adding one signs the person out
    # of every browser at once ("Sign out everywhere"), as a new password does.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)
    # When the person's authenticator app was set up (their second factor); none until the
    # first sign-in sets one up, and none again after a co-ordinator resets it. In history.
    second_factor_since = models.DateTimeField(
        "second factor set up", null=True, blank=True, editable=False
    )

    history = audited(excluded_fields=("password", "last_login"))
    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        verbose_name = "person"
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    # A session stays valid while this hash is what it was at sign-in: Django's own is of the
    # password alone; ours adds the epoch, so signing out everywhere ends every session.
    def _session_hash(self, secret=None) -> str:
        return salted_hmac(
            "membership.User.get_session_auth_hash",
            f"{self.password}:{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def get_session_auth_hash(self) -> str:
        return self._session_hash()

    def get_session_auth_fallback_hash(self):
        for fallback_secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_hash(secret=fallback_secret)


class Seat(models.Model):
    """A membership category on a body: e.g. business sector representatives x 3."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="seats")
    name = models.CharField(max_length=200)
    count = models.PositiveSmallIntegerField("number of places", default=1)
    sector = models.CharField(max_length=20, choices=Sector.choices, blank=True)
    nominating_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="nominated_seats",
        verbose_name="nominated by organisation",
    )
    nominating_body = models.ForeignKey(
        Body,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="nominated_seats",
        verbose_name="nominated by body",
    )
    voting = models.BooleanField(
        "voting",
        default=True,
        help_text="Advisers, co-ordinators and observers attend without decision rights.",
    )
    description = models.TextField("role and reason for being selected", blank=True)
    # A seat held by virtue of another office (CWaC Appendix 1: the thematic leads are the
    # groups' chairs): whoever holds ``office_role`` of ``office_body`` holds this seat, and
    # the membership follows that office when an election changes it (issue 16).
    office_body = models.ForeignKey(
        Body,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="office_seats",
        verbose_name="held by an office of",
    )
    office_role = models.CharField(
        "the office",
        max_length=20,
        choices=[("chair", "Chair"), ("deputy_chair", "Deputy chair")],
        blank=True,
    )

    history = audited()

    class Meta:
        ordering = ["body", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(count__gte=1),
                name="seat_count_at_least_one",
                violation_error_message="A seat needs at least one place.",
            ),
            models.CheckConstraint(
                condition=Q(nominating_organisation__isnull=True) | Q(nominating_body__isnull=True),
                name="seat_single_nominator",
                violation_error_message="A seat is nominated by an organisation or a body.",
            ),
            models.UniqueConstraint(fields=["body", "name"], name="seat_name_unique_in_body"),
            models.CheckConstraint(
                condition=Q(office_body__isnull=True, office_role="")
                | Q(office_body__isnull=False) & ~Q(office_role=""),
                name="seat_office_body_and_role_together",
                violation_error_message="An office-held seat names both the body and the office.",
            ),
            models.CheckConstraint(
                condition=~Q(office_body=F("body")),
                name="seat_office_of_another_body",
                violation_error_message="A seat cannot be held by an office of its own body.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.body})"

    @property
    def nominator(self) -> Organisation | Body | None:
        return self.nominating_organisation or self.nominating_body


class Role(models.TextChoices):
    CHAIR = "chair", "Chair"
    DEPUTY_CHAIR = "deputy_chair", "Deputy chair"
    MEMBER = "member", "Member"
    CO_OPTED = "co_opted", "Co-opted member"
    OBSERVER = "observer", "Observer"
    ADVISER = "adviser", "Adviser"
    COORDINATOR = "coordinator", "Co-ordinator"


NON_VOTING_ROLES = frozenset({Role.OBSERVER, Role.ADVISER, Role.COORDINATOR})
SINGLE_HOLDER_ROLES = frozenset({Role.CHAIR, Role.DEPUTY_CHAIR})


class MembershipQuerySet(models.QuerySet):
    def current(self, *, on: date | None = None) -> MembershipQuerySet:
        """Held on ``on`` (today by default). The end date is the first day no longer held."""
        day = on or timezone.localdate()
        return self.filter(Q(ends_on__isnull=True) | Q(ends_on__gt=day), starts_on__lte=day)

    def overlapping(self, *, starts_on: date, ends_on: date | None) -> MembershipQuerySet:
        qs = self.filter(Q(ends_on__isnull=True) | Q(ends_on__gt=starts_on))
        if ends_on is not None:
            qs = qs.filter(starts_on__lt=ends_on)
        return qs


class Membership(models.Model):
    """A person holding a seat on a body for an organisation, with a role, between two dates."""

    person = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships")
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="memberships")
    seat = models.ForeignKey(Seat, on_delete=models.PROTECT, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name="representing",
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    starts_on = models.DateField("start date")
    ends_on = models.DateField(
        "end date", null=True, blank=True, help_text="The first day the seat is no longer held."
    )
    end_reason = models.CharField("reason for ending", max_length=200, blank=True)

    history = audited()
    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["body", "person__full_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gt=F("starts_on")),
                name="membership_ends_after_start",
                violation_error_message="The end date must be after the start date.",
            ),
            # Open-ended holders of a single-holder role. Overlapping dated terms are refused
            # by an exclusion constraint on PostgreSQL (see migration 0003) and by the service.
            models.UniqueConstraint(
                fields=["body"],
                condition=Q(role=Role.CHAIR, ends_on__isnull=True),
                name="one_open_chair_per_body",
                violation_error_message="This body already has a chair.",
            ),
            models.UniqueConstraint(
                fields=["body"],
                condition=Q(role=Role.DEPUTY_CHAIR, ends_on__isnull=True),
                name="one_open_deputy_chair_per_body",
                violation_error_message="This body already has a deputy chair.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.get_role_display()}, {self.body}"

    @property
    def has_vote(self) -> bool:
        return self.seat.voting and self.role not in NON_VOTING_ROLES

    def is_current(self, *, on: date | None = None) -> bool:
        day = on or timezone.localdate()
        return self.starts_on <= day and (self.ends_on is None or self.ends_on > day)

    @property
    def sector(self) -> str:
        return self.organisation.sector if self.organisation_id else self.seat.sector


class AppointmentRole(models.TextChoices):
    COORDINATOR = "coordinator", "Co-ordinator"
    GOVERNANCE_LEAD = "governance_lead", "Governance lead"


class AppointmentQuerySet(models.QuerySet):
    def current(self, *, on: date | None = None) -> AppointmentQuerySet:
        day = on or timezone.localdate()
        return self.filter(Q(ends_on__isnull=True) | Q(ends_on__gt=day), starts_on__lte=day)


class Appointment(models.Model):
    """A partnership officer's appointment: co-ordinator of a body (and the bodies below it),
    of the whole partnership when no body is given, or governance lead."""

    person = models.ForeignKey(User, on_delete=models.PROTECT, related_name="appointments")
    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="appointments"
    )
    body = models.ForeignKey(
        Body,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
        help_text="Leave empty for the whole partnership.",
    )
    role = models.CharField(
        max_length=20, choices=AppointmentRole.choices, default=AppointmentRole.COORDINATOR
    )
    starts_on = models.DateField("start date")
    ends_on = models.DateField("end date", null=True, blank=True)

    history = audited()
    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["partnership", "person__full_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gt=F("starts_on")),
                name="appointment_ends_after_start",
                violation_error_message="The end date must be after the start date.",
            ),
            models.CheckConstraint(
                condition=~Q(role=AppointmentRole.GOVERNANCE_LEAD) | Q(body__isnull=True),
                name="governance_lead_is_partnership_wide",
                violation_error_message="A governance lead is appointed for the whole partnership.",
            ),
        ]

    def __str__(self) -> str:
        scope = self.body or self.partnership
        return f"{self.person} – {self.get_role_display()}, {scope}"


# --- elections --------------------------------------------------------------------------------


class Post(models.TextChoices):
    CHAIR = "chair", "Chair"
    DEPUTY_CHAIR = "deputy_chair", "Deputy chair"
    SEAT = "seat", "Places in a membership category"


class TieRule(models.TextChoices):
    REBALLOT = "reballot", "Hold a re-ballot of the tied candidates"
    LOT = "lot", "Draw lots between the tied candidates"


class ElectionStatus(models.TextChoices):
    OPEN = "open", "Open"  # scheduled, taking nominations or taking votes, by its dates
    SEALED = "sealed", "Voting closed: awaiting the count"  # the officers' codes are needed
    CLOSED = "closed", "Closed"  # counted and published
    VOID = "void", "Not counted"  # too few counting officers could count: run it again
    CANCELLED = "cancelled", "Cancelled"


class Election(models.Model):
    """An election for a body's chair, deputy chair, or N places in one of its seats.

    Its phase follows from its dates until it is closed: nominations, then voting."""

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="elections")
    post = models.CharField(max_length=20, choices=Post.choices)
    seat = models.ForeignKey(
        Seat, on_delete=models.PROTECT, null=True, blank=True, related_name="elections"
    )
    places = models.PositiveSmallIntegerField(default=1)
    nominations_open_at = models.DateTimeField("nominations open")
    nominations_close_at = models.DateTimeField("nominations close")
    voting_opens_at = models.DateTimeField("voting opens")
    voting_closes_at = models.DateTimeField("voting closes")
    term_starts_on = models.DateField("term starts on")
    tie_rule = models.CharField("if candidates tie", max_length=20, choices=TieRule.choices)
    status = models.CharField(max_length=20, choices=ElectionStatus.choices, default="open")
    # Set when the electorate is fixed, at the moment voting opens.
    electorate_fixed = models.BooleanField(default=False)
    closed_at = models.DateTimeField(null=True, blank=True)
    turnout = models.PositiveIntegerField(null=True, blank=True)
    electorate_size = models.PositiveIntegerField(null=True, blank=True)
    abstentions = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.TextField("how the result was reached", blank=True)
    reballot_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reballots"
    )
    rerun_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reruns",
        help_text="The election this one runs again because it could not be counted.",
    )
    # The encryption (membership.crypto, services.election_count). Any ``threshold`` of the
    # counting officers can count the totals together; fewer, and nobody at all, can read a
    # ballot. Set when voting opens: the election's public key and the layout of its ballots
    # (candidate ids in slot order, then "abstain"). Set when it is counted: the encrypted
    # totals and the digest of the fingerprints of the ballots they add up.
    threshold = models.PositiveSmallIntegerField(
        "counting officers needed to count",
        default=2,
        validators=[MinValueValidator(1)],
    )
    public_key = models.BinaryField(null=True, blank=True, editable=False)
    layout = models.JSONField(default=list, blank=True, editable=False)
    tally = models.BinaryField(null=True, blank=True, editable=False)
    board_digest = models.CharField(max_length=64, blank=True, editable=False)

    history = audited()

    class Meta:
        ordering = ["-voting_closes_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(nominations_open_at__lt=F("nominations_close_at"))
                & Q(nominations_close_at__lte=F("voting_opens_at"))
                & Q(voting_opens_at__lt=F("voting_closes_at")),
                name="election_windows_in_order",
                violation_error_message="Nominations must open, then close, before voting "
                "opens, and voting must open before it closes.",
            ),
            models.CheckConstraint(
                condition=(Q(post="seat") & Q(seat__isnull=False))
                | (~Q(post="seat") & Q(seat__isnull=True) & Q(places=1)),
                name="election_post_matches_seat",
                violation_error_message="A seat election names its seat; a chair or deputy "
                "chair election fills one place.",
            ),
            models.CheckConstraint(condition=Q(places__gte=1), name="election_places_positive"),
        ]

    def __str__(self) -> str:
        if self.post == Post.SEAT:
            return f"Election of {self.places} × {self.seat.name}, {self.body}"
        return f"Election of {self.get_post_display().lower()}, {self.body}"

    def url(self, name: str = "election_detail", **extra) -> str:
        """The address of one of the election's pages (``membership:<name>``)."""
        return reverse(
            f"membership:{name}",
            kwargs={
                "partnership": self.body.partnership.slug,
                "body": self.body.slug,
                "pk": self.pk,
                **extra,
            },
        )

    def phase(self, *, at=None) -> str:
        """scheduled, nominations, between, voting, counting (closing is due), closed,
        cancelled."""
        if self.status != ElectionStatus.OPEN:
            return self.status
        now = at or timezone.now()
        if now < self.nominations_open_at:
            return "scheduled"
        if now < self.nominations_close_at:
            return "nominations"
        if now < self.voting_opens_at:
            return "between"
        if now < self.voting_closes_at:
            return "voting"
        return "counting"


class CandidateStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed, awaiting a seconder"
    SECONDED = "seconded", "Seconded, awaiting the candidate's answer"
    ACCEPTED = "accepted", "Standing"
    DECLINED = "declined", "Declined"


class Candidate(models.Model):
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="candidates")
    person = models.ForeignKey(User, on_delete=models.PROTECT, related_name="candidacies")
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name="organisation they would represent",
    )
    proposer = models.ForeignKey(User, on_delete=models.PROTECT, related_name="proposals")
    seconder = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="secondings"
    )
    status = models.CharField(
        max_length=20, choices=CandidateStatus.choices, default=CandidateStatus.PROPOSED
    )
    statement = models.TextField("why they stand and what they bring", blank=True)
    votes = models.PositiveIntegerField(null=True, blank=True)
    elected = models.BooleanField(default=False)

    history = audited()

    class Meta:
        ordering = ["person__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["election", "person"], name="candidate_once_per_election"
            ),
            models.CheckConstraint(
                condition=~Q(seconder=F("proposer")),
                name="candidate_seconder_not_proposer",
                violation_error_message="The seconder must be someone other than the proposer.",
            ),
        ]

    def __str__(self) -> str:
        return str(self.person)


def _uuid():
    return uuid.uuid4()


class Elector(models.Model):
    """Someone who may vote: each voting member of the body at the moment voting opens.
    Written once, when voting opens; says nothing about whether or how they voted."""

    id = models.UUIDField(primary_key=True, default=_uuid, editable=False)
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="electors")
    person = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    reminded = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["election", "person"], name="elector_once")]

    def __str__(self) -> str:
        return "Elector"


class Participation(models.Model):
    """That a person voted in an election: never when, never how. A random key and no
    timestamp, so nothing orders it against the ballots."""

    id = models.UUIDField(primary_key=True, default=_uuid, editable=False)
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="+")
    voter = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["election", "voter"], name="one_vote_per_voter")
        ]

    def __str__(self) -> str:
        return "Participation"


class Ballot(models.Model):
    """A secret ballot, encrypted: one exponential-ElGamal ciphertext per standing candidate
    and one for "abstain", each proved to hold 0 or 1, and their sum proved to be 1..places
    (``membership.crypto.ballot``). Nothing here, or anywhere, holds a choice in the clear; no
    link to a person, no timestamp, no history, not in the admin. The fingerprint is the
    voter's receipt and the ballot's entry on the published bulletin board."""

    id = models.UUIDField(primary_key=True, default=_uuid, editable=False)
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="+")
    ciphertexts = models.BinaryField()
    proofs = models.BinaryField()
    fingerprint = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["election", "fingerprint"], name="ballot_fingerprint_unique"
            )
        ]

    def __str__(self) -> str:
        # Deliberately says nothing about the ballot.
        return "Ballot"


class ElectionOfficer(models.Model):
    """A counting officer: one of the people any ``election.threshold`` of whom count the
    totals together. Each makes a counting code before voting opens, which is shown to them
    once and kept nowhere: the server keeps only ``code_key``, a public key derived from it.
    When voting opens, the officer's share of the election's key is encrypted to that key
    (``wrapped_share``); at the count they enter their code, the share is unwrapped in memory
    and used for the partial decryption of the totals only (``partials``), and the wrapped
    share is emptied. ``verification_key`` lets anyone check their partial decryption."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="officers")
    person = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    index = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    code_key = models.BinaryField(null=True, blank=True, editable=False)
    code_made_at = models.DateTimeField(null=True, blank=True)
    verification_key = models.BinaryField(null=True, blank=True, editable=False)
    wrapped_share = models.BinaryField(null=True, blank=True, editable=False)
    partials = models.BinaryField(null=True, blank=True, editable=False)
    counted_at = models.DateTimeField(null=True, blank=True)

    # Who was named, when codes were made and who counted are on the record; the keys and the
    # wrapped share are not (an emptied share must not live on in a history row).
    history = audited(excluded_fields=("code_key", "verification_key", "wrapped_share", "partials"))

    class Meta:
        ordering = ["index"]
        constraints = [
            models.UniqueConstraint(fields=["election", "person"], name="officer_once"),
            models.UniqueConstraint(fields=["election", "index"], name="officer_index_unique"),
        ]

    def __str__(self) -> str:
        return f"Counting officer {self.index}: {self.person}"


# --- the partnership agreement ----------------------------------------------------------------


def agreement_path(version: AgreementVersion, filename: str) -> str:
    # A random name: the uploader's file name is kept in file_name and never used as a path.
    return f"agreements/{uuid.uuid4().hex}.pdf"


class AgreementVersion(models.Model):
    """One version of the partnership agreement: uploaded by the governance lead with what
    changed, agreed by a board on a date, then issued to every member to sign. The current
    version of a partnership is the one issued most recently."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="agreement_versions"
    )
    label = models.CharField("version", max_length=50, help_text="For example, 2026")
    what_changed = models.TextField("what changed")
    file = models.FileField(storage=private_files, upload_to=agreement_path, max_length=255)
    file_name = models.CharField("file name", max_length=200)
    file_size = models.PositiveIntegerField("file size")
    uploaded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name="uploaded by"
    )
    uploaded_at = models.DateTimeField("uploaded at", default=timezone.now)
    agreed_by = models.ForeignKey(
        Body,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="agreed by",
    )
    agreed_on = models.DateField("agreed on", null=True, blank=True)
    issued_at = models.DateTimeField("issued at", null=True, blank=True)

    history = audited()

    class Meta:
        # Drafts first, then the issued versions, newest first (the same on every database).
        ordering = [F("issued_at").desc(nulls_first=True), "-uploaded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "label"],
                name="agreement_label_unique_in_partnership",
                violation_error_message="This partnership already has a version with this name.",
            ),
            models.CheckConstraint(
                condition=Q(agreed_by__isnull=True, agreed_on__isnull=True)
                | Q(agreed_by__isnull=False, agreed_on__isnull=False),
                name="agreement_agreed_by_and_on_together",
                violation_error_message="Record which body agreed the version and when.",
            ),
            models.CheckConstraint(
                condition=Q(issued_at__isnull=True) | Q(agreed_on__isnull=False),
                name="agreement_issued_only_when_agreed",
                violation_error_message="A version is issued only once it has been agreed.",
            ),
        ]

    def __str__(self) -> str:
        return f"Partnership agreement, version {self.label}"

    @property
    def is_issued(self) -> bool:
        return self.issued_at is not None

    @property
    def is_agreed(self) -> bool:
        return self.agreed_on is not None


class AgreementSignature(models.Model):
    """That a person signed a version of the agreement, and when: an event, written once,
    never changed or deleted (so no history, and PROTECT on both sides)."""

    person = models.ForeignKey(User, on_delete=models.PROTECT, related_name="agreement_signatures")
    version = models.ForeignKey(
        AgreementVersion, on_delete=models.PROTECT, related_name="signatures"
    )
    signed_at = models.DateTimeField("signed at", default=timezone.now)

    class Meta:
        ordering = ["-signed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["person", "version"], name="agreement_signed_once")
        ]

    def __str__(self) -> str:
        return f"{self.person} signed {self.version}"


class RecoveryCode(models.Model):
    """One of a person's recovery codes, for signing in without their authenticator app: each
    works once. Only a SHA-256 digest is kept; a code carries 120 random bits, enough that a
    plain hash is safe to store (OWASP ASVS 5.0, 6.5.2)."""

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"Recovery code of {self.person}"


class TrainingRecord(models.Model):
    """A course a member completed (Warrington section 3: training and development), recorded
    by the member or by a co-ordinator of a body they sit on. Removing one keeps its history."""

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="training_records")
    course = models.CharField("course", max_length=200)
    completed_on = models.DateField("date completed")
    provider = models.CharField("provider", max_length=200)
    notes = models.TextField("notes", blank=True)
    recorded_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    history = audited()

    class Meta:
        ordering = ["-completed_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.course} ({self.provider}), {self.completed_on:%-d %B %Y}"


# The annual membership review (issue 16) lives beside the rest of membership's models.
from membership.models_review import (  # noqa: E402, F401
    MembershipReview,
    ReviewOutcome,
    ReviewSheet,
)
