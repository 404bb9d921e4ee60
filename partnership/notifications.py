"""The one place e-mails are sent from. Each message is a subject/text/html triplet under
templates/emails/<name>_{subject.txt,body.txt,body.html}."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def notify(*, to, template: str, context: dict) -> None:
    """Send one e-mail to one person. Raises if it cannot be sent, so a caller inside a
    transaction rolls back its claim and the job retries."""
    context = {**context, "site_url": settings.SITE_URL}
    subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
    text = render_to_string(f"emails/{template}_body.txt", context)
    html = render_to_string(f"emails/{template}_body.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to.email])
    message.attach_alternative(html, "text/html")
    message.send()
