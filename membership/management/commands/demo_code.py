"""Print the current second-factor code of a demo account, for trying the demo without an
authenticator app. Only with debug on, and only for an account whose authenticator is the
demo's own (its secret is published): never a real person's."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from membership.demo_second_factor import demo_totp_key


class Command(BaseCommand):
    help = "Print a demo account's current second-factor code (debug only)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email: str, **options):
        if not settings.DEBUG:
            raise CommandError("demo_code is for the demo, with DJANGO_DEBUG=true.")
        email = email.strip().lower()
        device = TOTPDevice.objects.filter(
            user__email=email, confirmed=True, key=demo_totp_key(email)
        ).first()
        if device is None:
            raise CommandError(f"{email} has no demo authenticator.")
        self.stdout.write(f"{totp(device.bin_key, drift=device.drift):06d}")
