"""Proposals for new sub-groups (issue 16). Included by the app's urls.py, under its namespace."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
