"""The second factor: after their password, everyone gives a code from an authenticator app
(TOTP, RFC 6238, by django-otp) or one of their recovery codes.

- **Set up** at the first sign-in (or again, to move to a new phone): an unconfirmed
  ``TOTPDevice`` is made, shown as a QR code and as text, and confirmed by its first code; ten
  recovery codes are made then, shown once, and only their digests kept.
- **Checked** at every sign-in (``totp_check``, ``recovery_code_use``): django-otp refuses a
  code already used (replay) and, after each wrong one, the next for 1, 2, 4 ... seconds; the
  device row is locked while it is checked, so two requests cannot both spend one code.
- **Remembered** on a browser for ``TWO_FACTOR_REMEMBER_DAYS`` if the person asks: a signed
  cookie naming the person and a fingerprint of their password hash, session epoch and
  authenticator, so a new password, a new app, a reset or "Sign out everywhere" forgets every
  remembered browser at once.
- **Reset** by a co-ordinator (``second_factor_reset``) for someone who has lost their phone
  and their codes: recorded in the person's history, the person signed out everywhere and
  told by e-mail; they set up a new app at their next sign-in.

Which session has passed the second factor is the web layer's business (membership/middleware.py).
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django_otp.plugins.otp_totp.models import TOTPDevice

from membership.models import RecoveryCode, User
from partnership.history import record_actor
from partnership.notifications import notify_after_commit
from partnership.throttle import Limit, hit

__all__ = [
    "ALERT_AFTER",
    "THROTTLE_CAP",
    "RECOVERY_CODE_COUNT",
    "RECOVERY_BY_ACCOUNT",
    "SetUp",
    "has_authenticator",
    "recovery_code_use",
    "recovery_codes_left",
    "recovery_codes_new",
    "remember_token",
    "remembered_person",
    "second_factor_enrol",
    "second_factor_reset",
    "second_factor_set_up",
    "set_up_start",
    "throttle_lift",
    "totp_check",
]

RECOVERY_CODE_COUNT = 10
THROTTLE_CAP = 10  # wrong codes in a row counted: the wait after each is at most 2⁹ s
ALERT_AFTER = 5
# Crockford's base32: no I, L, O or U, so a code read aloud or copied by hand survives.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CODE_LENGTH = 24  # 24 × 5 = 120 random bits
_TYPED_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
# Recovery codes tried for one account from one address: 120 bits cannot be guessed, so this
# only stops a script hammering the page; counted with the address so that someone who knows
# the password cannot use up the owner's tries from elsewhere.
RECOVERY_BY_ACCOUNT = Limit("recovery:account-address", 10, timedelta(minutes=15))
_REMEMBER_SALT = "membership.two_factor.remember"


# --- setting up ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SetUp:
    """What the set-up page shows: the app's configuration address (the QR code) and the
    secret as text, in groups of four."""

    device: TOTPDevice
    config_url: str
    secret: str


def _secret_text(device: TOTPDevice) -> str:
    secret = base64.b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def has_authenticator(*, user: User) -> bool:
    """Whether the person has a confirmed authenticator: none at first, after a reset, or if
    an administrator deleted theirs in the admin (they then set up a new one, as after a
    reset)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def set_up_start(*, user: User, pending: int | None = None) -> SetUp:
    """The authenticator being set up in this session (``pending``, the id the session keeps):
    the same one until it is confirmed, so reloading the page, or a wrong code, never changes
    the QR code the person has already scanned. Any other session's unconfirmed one is
    deleted and a new secret made: a secret seen on another set-up page (someone else who
    knew the password) never becomes the person's authenticator."""
    device = None
    if pending is not None:
        device = TOTPDevice.objects.filter(pk=pending, user=user, confirmed=False).first()
    if device is None:
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return SetUp(device=device, config_url=device.config_url, secret=_secret_text(device))


def _too_many(info: dict | None) -> ValidationError:
    until = timezone.localtime((info or {}).get("locked_until") or timezone.now())
    return ValidationError(
        f"You have entered a wrong code too many times. Wait until {until:%H:%M:%S} and try "
        "again. If that was not you, someone knows your password: sign in with a recovery code "
        "and change it.",
        code="throttled",
    )


def _check(device_qs, code: str) -> TOTPDevice:
    """Check ``code`` against the first device of ``device_qs``, locked while it is checked.
    A wrong code's throttling is committed (this is not inside the caller's transaction);
    raises ValidationError with what to tell the person.

    The wait after wrong codes doubles up to about 8½ minutes (``THROTTLE_CAP`` failures),
    never more: someone who knows the password cannot lock the owner out for days. The owner
    is e-mailed at the ``ALERT_AFTER``-th wrong code in a row, since wrong codes after the
    right password mean someone else may know it."""
    with transaction.atomic():
        device = device_qs.select_for_update().order_by("pk").first()
        if device is None:
            raise ValidationError("Set up your authenticator app first.", code="no_device")
        allowed, info = device.verify_is_allowed()
        verified = allowed and device.verify_token(code)
        if allowed and not verified:
            if device.throttling_failure_count > THROTTLE_CAP:
                device.throttling_failure_count = THROTTLE_CAP
                device.save(update_fields=["throttling_failure_count"])
            if device.throttling_failure_count == ALERT_AFTER and device.confirmed:
                at = timezone.now()
                key = f"{device.pk}:{at:%Y-%m-%d}"
                _tell("second_factor_wrong_codes", device.user, key, at=at, count=ALERT_AFTER)
    if not allowed:
        raise _too_many(info)
    if not verified:
        raise ValidationError(
            "The code is not right, or has expired. Enter the code your app shows now.",
            code="wrong",
        )
    return device


@transaction.atomic
def _replace_recovery_codes(user: User) -> list[str]:
    RecoveryCode.objects.filter(person=user).delete()
    codes: list[str] = []
    while len(codes) < RECOVERY_CODE_COUNT:
        code = "".join(secrets.choice(_ALPHABET) for _ in range(_CODE_LENGTH))
        if code not in codes:
            codes.append(code)
    RecoveryCode.objects.bulk_create(
        RecoveryCode(person=user, digest=_digest(code)) for code in codes
    )
    return [_grouped(code) for code in codes]


def second_factor_set_up(*, user: User, code: str, pending: int) -> list[str]:
    """Confirm the authenticator being set up in this session (``pending``) with its first
    code: it replaces any earlier one, and ten new recovery codes replace any earlier ones.
    Returns the codes, to be shown once (only their digests are kept). Raises ValidationError
    for a wrong code."""
    device = _check(TOTPDevice.objects.filter(pk=pending, user=user, confirmed=False), code)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        person = User.objects.select_for_update().get(pk=user.pk)
        first = person.second_factor_since is None
        person.second_factor_since = timezone.now()
        record_actor(
            person,
            actor=person,
            reason="Set up an authenticator app" if first else "Set up a new authenticator app",
        )
        person.save(update_fields=["second_factor_since"])
        user.second_factor_since = person.second_factor_since
        # Told by e-mail, so an authenticator set up by someone else does not go unnoticed.
        at = person.second_factor_since
        _tell("second_factor_set_up", person, f"{person.pk}:{at.isoformat()}", at=at)
        return _replace_recovery_codes(person)


def second_factor_enrol(*, user: User, key: str) -> TOTPDevice:
    """An authenticator with a known secret (hex), confirmed at once: only for the demo's
    fictional people, whose secrets are published beside their passwords."""
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(user=user, name="Demo authenticator", key=key)
    if user.second_factor_since is None:
        user.second_factor_since = timezone.now()
        record_actor(user, actor=None, reason="Demo authenticator set up")
        user.save(update_fields=["second_factor_since"])
    return device


# --- signing in ------------------------------------------------------------------------------


def totp_check(*, user: User, code: str) -> None:
    """A code from the person's authenticator app; raises ValidationError if it is wrong,
    used already, or asked too often."""
    code = re.sub(r"\s", "", code or "")
    _check(TOTPDevice.objects.filter(user=user, confirmed=True), code)


def _normalised(code: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", (code or "").upper()).translate(_TYPED_AS)


def _digest(code: str) -> str:
    return hashlib.sha256(_normalised(code).encode()).hexdigest()


def _grouped(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def recovery_code_use(*, user: User, code: str, address: str = "") -> int:
    """Spend one of the person's recovery codes (typed with or without dashes or spaces, in
    any case). Returns how many are left; raises ValidationError if it is not one of theirs,
    was used before, or codes are being tried too often from ``address``. A code that works
    also lifts any wait after wrong app codes (the owner, locked out by someone else's)."""
    retry_at = hit(RECOVERY_BY_ACCOUNT, f"{user.pk}|{address}")
    if retry_at is not None:
        raise ValidationError(
            "You have tried too many recovery codes. Wait until "
            f"{timezone.localtime(retry_at):%H:%M} and try again.",
            code="throttled",
        )
    if len(_normalised(code)) != _CODE_LENGTH:
        raise ValidationError(
            "Enter a recovery code as it was given to you: 24 letters and numbers.",
            code="format",
        )
    # One UPDATE: two requests with the same code cannot both spend it.
    spent = RecoveryCode.objects.filter(
        person=user, digest=_digest(code), used_at__isnull=True
    ).update(used_at=timezone.now())
    if not spent:
        raise ValidationError(
            "That recovery code is not right, or has been used already. Check it and try "
            "again, or use another.",
            code="wrong",
        )
    throttle_lift(user=user)
    return recovery_codes_left(user=user)


def throttle_lift(*, user: User) -> None:
    """Lift the wait after wrong app codes: after a recovery code, a new password or signing
    out everywhere (whoever drove it up no longer has a way in)."""
    TOTPDevice.objects.filter(user=user).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )


def recovery_codes_left(*, user: User) -> int:
    return RecoveryCode.objects.filter(person=user, used_at__isnull=True).count()


def recovery_codes_new(*, user: User) -> list[str]:
    """Ten new recovery codes in place of the old ones (used or not), shown once."""
    return _replace_recovery_codes(user)


# --- remembered browsers ---------------------------------------------------------------------


def _fingerprint(user: User) -> str:
    return salted_hmac(
        _REMEMBER_SALT,
        f"{user.pk}:{user.password}:{user.session_epoch}:{user.second_factor_since}",
        algorithm="sha256",
    ).hexdigest()


def remember_token(*, user: User) -> str:
    """The remembered-browser cookie's value: signed and dated by Django's signing."""
    return signing.dumps({"u": user.pk, "f": _fingerprint(user)}, salt=_REMEMBER_SALT)


def remembered_person(*, user: User, token: str | None) -> bool:
    """Whether ``token`` remembers this browser for ``user``: made for them, within the
    period, and nothing since has forgotten it. No database query."""
    days = settings.TWO_FACTOR_REMEMBER_DAYS
    if not token or days <= 0 or user.second_factor_since is None:
        return False
    try:
        value = signing.loads(token, salt=_REMEMBER_SALT, max_age=days * 86400)
    except signing.BadSignature:
        return False
    return (
        isinstance(value, dict)
        and value.get("u") == user.pk
        and constant_time_compare(str(value.get("f", "")), _fingerprint(user))
    )


# --- reset by a co-ordinator -----------------------------------------------------------------


def _tell(template: str, person: User, key: str, **context) -> None:
    """E-mail the person about their second factor once the change commits (and put it in
    their Messages); ``key`` makes it once only."""

    def messages() -> list[dict]:
        return [
            {
                "to": person,
                "key": f"{template}:{key}",
                "template": template,
                "context": {"person": person, **context},
                "url": "/account/two-factor/",
            }
        ]

    notify_after_commit(messages)


@transaction.atomic
def second_factor_reset(*, actor: User, person: User, by_administrator: bool = False) -> User:
    """For someone who has lost their phone and their recovery codes: their authenticator and
    codes are removed, they are signed out everywhere, and they set up a new app at their next
    sign-in. Recorded in their history with who reset it; they are told by e-mail, so a reset
    they did not ask for does not go unnoticed. The caller checks the actor may do it: a
    co-ordinator of one of the person's bodies, or (``by_administrator``, from the admin) an
    administrator, who alone may reset another administrator's."""
    if actor.pk == person.pk:
        raise ValidationError(
            "You cannot reset your own second factor here: set up a new authenticator app "
            "from your account page.",
            code="own",
        )
    if (person.is_staff or person.is_superuser) and not by_administrator:
        raise ValidationError(
            f"{person} is an administrator: only another administrator can reset their second "
            "factor, in the admin.",
            code="staff",
        )
    person = User.objects.select_for_update().get(pk=person.pk)
    TOTPDevice.objects.filter(user=person).delete()
    RecoveryCode.objects.filter(person=person).delete()
    person.second_factor_since = None
    person.session_epoch += 1  # every session and remembered browser of theirs ends
    record_actor(person, actor=actor, reason=f"Second factor reset by {actor}")
    person.save(update_fields=["second_factor_since", "session_epoch"])
    at = timezone.now()
    _tell("second_factor_reset", person, f"{person.pk}:{at.isoformat()}", actor=actor, at=at)
    return person
