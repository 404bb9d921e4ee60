from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from governance import views as governance_views
from membership import views as membership_views
from membership.forms_auth import (
    EmailAuthenticationForm,
    GovukPasswordResetForm,
    GovukSetPasswordForm,
)
from partnership import (
    security,
    urls_alerts,
    urls_news,
    urls_notifications,
    urls_search,
    views,
    views_pages,
)
from partnership.throttle import (
    NEW_PASSWORD_BY_ADDRESS,
    RESET_BY_ADDRESS,
    SECOND_FACTOR_BY_ADDRESS,
    SIGN_IN_BY_ADDRESS,
    throttled,
)
from performance import views as performance_views

structure_patterns = [
    path("bodies/new/", views.body_create, name="body_create"),
    path("bodies/<slug:body>/edit/", views.body_edit, name="body_edit"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation_edit"),
    # The footer's pages, in the partnership's own words (partnership/views_pages.py).
    path("about/<slug:kind>/", views_pages.page, name="page"),
    path("about/<slug:kind>/edit/", views_pages.page_edit, name="page_edit"),
    # Finding and following (issue 17): search, news, and the public's alerts and feeds.
    *urls_search.urlpatterns,
    *urls_news.urlpatterns,
    *urls_alerts.urlpatterns,
]

auth_patterns = [
    path(
        "sign-in/",
        throttled(SIGN_IN_BY_ADDRESS)(
            auth_views.LoginView.as_view(
                template_name="registration/login.html",
                authentication_form=EmailAuthenticationForm,
                redirect_authenticated_user=True,
            )
        ),
        name="login",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    # The second factor, after the password (membership/views/two_factor.py).
    path(
        "two-factor/",
        throttled(SECOND_FACTOR_BY_ADDRESS)(membership_views.two_factor),
        name="two_factor",
    ),
    path(
        "two-factor/recovery/",
        throttled(SECOND_FACTOR_BY_ADDRESS)(membership_views.two_factor_recovery),
        name="two_factor_recovery",
    ),
    path("two-factor/set-up/", membership_views.two_factor_set_up, name="two_factor_set_up"),
    path(
        "two-factor/recovery-codes/",
        membership_views.two_factor_recovery_codes,
        name="two_factor_recovery_codes",
    ),
    path(
        "password-reset/",
        throttled(RESET_BY_ADDRESS)(
            auth_views.PasswordResetView.as_view(
                form_class=GovukPasswordResetForm,
                email_template_name="emails/password_reset.txt",
                html_email_template_name="emails/password_reset.html",
                subject_template_name="emails/password_reset_subject.txt",
            )
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        throttled(NEW_PASSWORD_BY_ADDRESS)(
            auth_views.PasswordResetConfirmView.as_view(form_class=GovukSetPasswordForm)
        ),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    # The admin's sign-in, limited by address as the site's is (django-axes covers both).
    path("admin/login/", throttled(SIGN_IN_BY_ADDRESS)(admin.site.login)),
    path("", views.home, name="home"),
    path("csp-report/", security.csp_report, name="csp_report"),
    path("about/<slug:kind>/", views_pages.site_page, name="site_page"),
    path("accounts/", include(auth_patterns)),
    path("account/", include("membership.urls_account")),
    # How a person hears about things: preferences, the digest, one-click unsubscribe.
    path("account/notifications/", include((urls_notifications, "notifications"))),
    path("account/meetings/", governance_views.my_meetings, name="my_meetings"),
    path("account/registers/", governance_views.my_registers_any, name="my_registers_any"),
    path("account/returns/", performance_views.my_returns, name="my_returns"),
    path("p/<slug:partnership>/", include((structure_patterns, "partnership"))),
    path("p/<slug:partnership>/", include("membership.urls")),
    path("p/<slug:partnership>/", include("governance.urls")),
    path("p/<slug:partnership>/", include("performance.urls")),
    path("admin/", admin.site.urls),
]

# A database outage is a 503 saying the change was not saved (partnership/errors.py).
handler500 = "partnership.errors.server_error"
