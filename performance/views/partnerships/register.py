"""Work in progress: filled in by the issue 15 work."""

from django.http import Http404

__all__ = [
    "key_partnership_list",
    "key_partnership_create",
    "key_partnership_settings",
    "key_partnership_export",
    "key_partnership",
    "key_partnership_edit",
    "key_partnership_end",
    "key_partnership_mou",
]


def key_partnership_list(request, **kwargs):
    raise Http404("Not yet")


def key_partnership_create(request, **kwargs):
    raise Http404("Not yet")


def key_partnership_settings(request, **kwargs):
    raise Http404("Not yet")


def key_partnership_export(request, **kwargs):
    raise Http404("Not yet")


def key_partnership(request, **kwargs):
    raise Http404("Not yet")


def key_partnership_edit(request, **kwargs):
    raise Http404("Not yet")


def key_partnership_end(request, **kwargs):
    raise Http404("Not yet")


def key_partnership_mou(request, **kwargs):
    raise Http404("Not yet")
