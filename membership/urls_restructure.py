"""Restructuring the partnership (issue 16): the co-ordinator's steps and each change's record.

Included by the app's urls.py, under its namespace."""

from django.urls import path

from membership.views import restructure as views

urlpatterns: list = [
    path("restructure/", views.restructure_what, name="restructure"),
    path("restructure/members/", views.restructure_members, name="restructure_members"),
    path("restructure/open-work/", views.restructure_things, name="restructure_things"),
    path("restructure/confirm/", views.restructure_confirm, name="restructure_confirm"),
    path("changes/", views.change_list, name="change_list"),
    path("changes/<int:pk>/", views.change_detail, name="change_detail"),
]
