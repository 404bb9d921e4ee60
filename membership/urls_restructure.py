"""Restructuring the partnership (issue 16): the co-ordinator's steps and each change's record.

Included by the app's urls.py, under its namespace."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
