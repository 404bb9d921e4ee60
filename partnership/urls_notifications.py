"""How a person hears about things (mounted at /account/notifications/, namespace
"notifications"): their choices, all their messages, and the one-click unsubscribe link every
optional e-mail carries."""

from django.urls import path

from partnership import views_notifications as views

urlpatterns = [
    path("", views.preferences, name="preferences"),
    path("messages/", views.messages_all, name="messages"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
