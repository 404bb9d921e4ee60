"""The annual membership review (issue 16). Included by the app's urls.py, under its namespace."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
