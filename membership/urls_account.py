from django.urls import path

from membership import views

app_name = "account"

urlpatterns = [
    path("", views.account, name="home"),
    path("contact-details/", views.profile_edit, name="profile"),
    path("tasks/", views.tasks, name="tasks"),
    path("password/", views.password_change, name="password_change"),
    path("sign-out-everywhere/", views.sign_out_everywhere, name="sign_out_everywhere"),
]
