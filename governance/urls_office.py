"""Rules of office at meetings (issue 16): the acting chair.

Included by the app's urls.py, under its namespace."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
