"""The second factor's pages: the code after the password (or a recovery code), setting up an
authenticator app, the recovery codes shown once, the account's own second-factor page, and a
co-ordinator's reset for someone who has lost both (rules in membership/services/two_factor.py;
which session has passed, in membership/middleware.py)."""

from __future__ import annotations

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_http_methods, require_POST

from membership import services
from membership.forms_auth import CurrentPasswordForm, RecoveryCodeForm, TotpCodeForm
from membership.middleware import is_verified, mark_verified
from membership.models import Appointment, Membership
from membership.views.bodies import get_membership
from partnership import permissions as perms
from partnership.forms import posted
from partnership.throttle import address_key

__all__ = [
    "second_factor_reset",
    "two_factor",
    "two_factor_account",
    "two_factor_recovery",
    "two_factor_recovery_codes",
    "two_factor_recovery_codes_new",
    "two_factor_set_up",
]

NEW_CODES = "second_factor_new_codes"
PENDING = "second_factor_pending_device"


def _next(request: HttpRequest) -> str:
    """Where to go once the second factor is given: the page first asked for, if it is ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(name: str, request: HttpRequest) -> str:
    return f"{reverse(name)}?{urlencode({'next': _next(request)})}"


def _passed(request: HttpRequest, form: TotpCodeForm | None, target: str) -> HttpResponse:
    """The second factor is given: a new session key, and the browser remembered if asked."""
    mark_verified(request)
    response = redirect(target)
    if form is not None and form.cleaned_data.get("remember"):
        response.set_cookie(
            settings.TWO_FACTOR_REMEMBER_COOKIE,
            services.remember_token(user=request.user),
            max_age=settings.TWO_FACTOR_REMEMBER_DAYS * 86400,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    return response


def _qr_svg(data: str) -> SafeString:
    """The QR code as an SVG drawn on the server: no script, no image request."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    svg = image.to_string(encoding="unicode")
    label = escape("QR code to scan with your authenticator app. The secret is also given as text.")
    return mark_safe(  # noqa: S308 - qrcode's own SVG (a path), and an escaped label
        svg.replace("<svg ", f'<svg role="img" aria-label="{label}" class="app-qr" ', 1)
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """After the password: the code from the person's authenticator app."""
    if is_verified(request):
        return redirect(_next(request))
    if not services.has_authenticator(user=request.user):
        return redirect(_with_next("two_factor_set_up", request))
    form = TotpCodeForm(posted(request), remember_days=settings.TWO_FACTOR_REMEMBER_DAYS)
    if form.is_valid():
        try:
            services.totp_check(user=request.user, code=form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            return _passed(request, form, _next(request))
    return render(
        request,
        "registration/two_factor.html",
        {"form": form, "next": _next(request)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_recovery(request: HttpRequest) -> HttpResponse:
    """After the password, without the app: one of the person's recovery codes."""
    if is_verified(request):
        return redirect(_next(request))
    if not services.has_authenticator(user=request.user):
        return redirect(_with_next("two_factor_set_up", request))
    form = RecoveryCodeForm(posted(request))
    if form.is_valid():
        try:
            left = services.recovery_code_use(
                user=request.user, code=form.cleaned_data["code"], address=address_key(request)
            )
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            messages.warning(
                request,
                f"You signed in with a recovery code, which now cannot be used again. You have "
                f"{left} left. If you have lost your phone, set up your authenticator app again "
                "from your account page; if you have run out of codes, get new ones there.",
            )
            return _passed(request, None, _next(request))
    return render(
        request, "registration/two_factor_recovery.html", {"form": form, "next": _next(request)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_set_up(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: at the first sign-in, or later to move to a new phone.
    Someone who has an app but has not given its code here cannot replace it: a password
    alone must never be enough to change the second factor."""
    first = not services.has_authenticator(user=request.user)
    if not first and not is_verified(request):
        return redirect(_with_next("two_factor", request))
    form = TotpCodeForm(
        posted(request),
        remember_days=settings.TWO_FACTOR_REMEMBER_DAYS,
        # A new app for someone who has one: their password again, as for a new password.
        ask_password_of=None if first else request.user,
    )
    set_up = services.set_up_start(user=request.user, pending=request.session.get(PENDING))
    request.session[PENDING] = set_up.device.pk
    if form.is_valid():
        try:
            codes = services.second_factor_set_up(
                user=request.user, code=form.cleaned_data["code"], pending=set_up.device.pk
            )
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            request.session.pop(PENDING, None)
            request.session[NEW_CODES] = codes
            return _passed(request, form, _with_next("two_factor_recovery_codes", request))
    return render(
        request,
        "registration/two_factor_set_up.html",
        {
            "form": form,
            "first": first,
            "next": _next(request),
            "qr": _qr_svg(set_up.config_url),
            "secret": set_up.secret,
            "issuer": settings.OTP_TOTP_ISSUER,
        },
    )


@login_required
def two_factor_recovery_codes(request: HttpRequest) -> HttpResponse:
    """The new recovery codes, shown once: they leave the session as the page is made."""
    codes = request.session.pop(NEW_CODES, None)
    if not codes:
        return redirect("account:two_factor")
    return render(
        request,
        "registration/two_factor_recovery_codes.html",
        {"codes": codes, "next": _next(request)},
    )


def _account_page(request: HttpRequest, form: CurrentPasswordForm) -> HttpResponse:
    return render(
        request,
        "membership/account/two_factor.html",
        {
            "form": form,
            "codes_left": services.recovery_codes_left(user=request.user),
            "code_count": services.RECOVERY_CODE_COUNT,
            "remember_days": settings.TWO_FACTOR_REMEMBER_DAYS,
        },
    )


@login_required
@require_http_methods(["GET"])
def two_factor_account(request: HttpRequest) -> HttpResponse:
    """The person's own second factor: when it was set up, recovery codes left, and what they
    can do about a new phone or used-up codes."""
    return _account_page(request, CurrentPasswordForm(person=request.user))


@login_required
@require_POST
def two_factor_recovery_codes_new(request: HttpRequest) -> HttpResponse:
    """Ten new recovery codes, after the password again; the old ones stop working."""
    form = CurrentPasswordForm(request.POST, person=request.user)
    if not form.is_valid():
        return _account_page(request, form)
    request.session[NEW_CODES] = services.recovery_codes_new(user=request.user)
    return redirect(f"{reverse('two_factor_recovery_codes')}?next={reverse('account:two_factor')}")


def _reset_refusal(actor, person, body) -> str:
    """Why this co-ordinator may not reset this person's second factor, or "". Only someone
    who sits on the body now, whose every current place is in bodies the co-ordinator
    manages, and who holds no office: a reset leaves the account on its password until the
    owner signs in, so nobody may reach beyond their own people, or above themselves."""
    places = list(Membership.objects.current().filter(person=person).select_related("body"))
    if not any(m.body_id == body.pk for m in places):
        return f"{person} does not sit on {body} now: only a current member's can be reset here."
    if Appointment.objects.current().filter(person=person).exists():
        return (
            f"{person} holds an office in a partnership (co-ordinator or governance lead): "
            "their second factor is reset by an administrator."
        )
    if not all(perms.can_manage_body(actor, m.body) for m in places):
        return (
            f"{person} also sits on bodies you do not co-ordinate: ask a co-ordinator of the "
            "whole partnership, or an administrator, to reset their second factor."
        )
    return ""


@login_required
@require_http_methods(["GET", "POST"])
def second_factor_reset(request: HttpRequest, partnership: str, body: str, pk: int) -> HttpResponse:
    """A co-ordinator of the body resets a member's second factor (a lost phone and lost
    codes): they are signed out everywhere and set up a new app at their next sign-in."""
    b = perms.get_body_or_404(partnership, body)
    membership = get_membership(b, pk)
    perms.require(perms.can_manage_body(request.user, b))
    person = membership.person
    form = CurrentPasswordForm(posted(request), person=request.user)
    refusal = _reset_refusal(request.user, person, b)
    if refusal:
        form.refuse(refusal)
    elif form.is_valid():
        try:
            services.second_factor_reset(actor=request.user, person=person)
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request,
                f"{person}'s second factor has been reset. They have been signed out "
                "everywhere, told by e-mail, and will set up a new authenticator app when they "
                "next sign in.",
            )
            return redirect("membership:membership_detail", b.partnership.slug, b.slug, pk)
    return render(
        request,
        "membership/second_factor_reset.html",
        {
            "partnership": b.partnership,
            "body": b,
            "membership": membership,
            "person": person,
            "form": form,
            "refused": bool(refusal),
        },
    )
