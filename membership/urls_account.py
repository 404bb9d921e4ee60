from django.urls import path

from membership import views

app_name = "account"

urlpatterns = [
    path("", views.account, name="home"),
    path("contact-details/", views.profile_edit, name="profile"),
    path("tasks/", views.tasks, name="tasks"),
    path("training/", views.training, name="training"),
    path("training/<int:pk>/remove/", views.training_remove, name="training_remove"),
    path("password/", views.password_change, name="password_change"),
    path("two-factor/", views.two_factor_account, name="two_factor"),
    path(
        "two-factor/recovery-codes/new/",
        views.two_factor_recovery_codes_new,
        name="two_factor_recovery_codes_new",
    ),
    path("sign-out-everywhere/", views.sign_out_everywhere, name="sign_out_everywhere"),
]
