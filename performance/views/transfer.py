"""Stubs, to be written."""

from django.http import Http404


def indicator_import(request, *args, **kwargs):
    raise Http404


def indicator_export(request, *args, **kwargs):
    raise Http404
