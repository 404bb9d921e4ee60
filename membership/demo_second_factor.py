"""The demo's second factors: every fictional person who has a password is set up with an
authenticator whose secret comes from their e-mail address, and the secrets are printed beside
the demo sign-ins (and in the README), so anyone trying the demo can add them to an app. The
two people invited but not yet signed in set one up at their first sign-in, as a real member
would. ``manage.py demo_code <e-mail>`` prints a demo account's current code, with debug on."""

from __future__ import annotations

import base64
import hashlib

from django.db import transaction

from membership import services
from membership.models import User


def demo_totp_key(email: str) -> str:
    """The demo authenticator's secret (hex, 20 bytes): published, so demo-only."""
    return hashlib.sha256(f"mercia-vale-demo-second-factor:{email}".encode()).hexdigest()[:40]


def demo_totp_secret(email: str) -> str:
    """The same secret as an authenticator app takes it: base32, in groups of four."""
    secret = base64.b32encode(bytes.fromhex(demo_totp_key(email))).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@transaction.atomic
def demo_second_factors_enrol(*, domain: str) -> int:
    """Set up the demo authenticator for each person of the demo's domain who can sign in and
    has none yet. Returns how many were set up."""
    people = User.objects.filter(email__endswith=f"@{domain}", second_factor_since__isnull=True)
    enrolled = 0
    for person in people:
        if person.has_usable_password():
            services.second_factor_enrol(user=person, key=demo_totp_key(person.email))
            enrolled += 1
    return enrolled
