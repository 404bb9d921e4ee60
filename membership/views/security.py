"""A signed-in person's own security: change their password (which signs them out everywhere
else) and sign out of every browser at once."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from membership import services
from membership.forms_auth import GovukPasswordChangeForm

__all__ = ["password_change", "sign_out_everywhere"]


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    form = GovukPasswordChangeForm(request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = services.account_password_change(
            user=request.user, password=form.cleaned_data["new_password1"]
        )
        update_session_auth_hash(request, user)  # this browser stays signed in, and only this
        messages.success(
            request,
            "Your password has been changed. You have been signed out on every other device.",
        )
        return redirect("account:home")
    return render(request, "membership/account/password_change.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        services.account_sign_out_everywhere(user=request.user)
        logout(request)
        messages.success(
            request, "You have been signed out everywhere, on this device too. Sign in again."
        )
        return redirect("login")
    return render(request, "membership/account/sign_out_everywhere.html")
