"""System checks of this project's own settings (``manage.py check --deploy``)."""

from __future__ import annotations

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def site_url_is_https(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Links in e-mails start with SITE_URL. Over plain http a mail client's one-click
    unsubscribe (RFC 8058, https only) is not offered, and the links are not safe to follow."""
    if settings.DEBUG or settings.SITE_URL.startswith("https://"):
        return []
    return [
        checks.Warning(
            f"SITE_URL is {settings.SITE_URL!r}, not an https address.",
            hint="Set SITE_URL to the site's https address: links in e-mails start with it, "
            "and mail clients offer one-click unsubscribe only for https links.",
            id="partnership.W001",
        )
    ]
