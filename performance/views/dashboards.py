"""Stubs, to be written."""

from django.http import Http404


def dashboard(request, *args, **kwargs):
    raise Http404


def body_dashboard(request, *args, **kwargs):
    raise Http404


def indicator_detail(request, *args, **kwargs):
    raise Http404


def open_data_csv(request, *args, **kwargs):
    raise Http404
