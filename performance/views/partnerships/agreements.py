"""Work in progress: filled in by the issue 15 work."""

from django.http import Http404

__all__ = [
    "agreement_list",
    "agreement_create",
    "agreement_export",
    "agreement",
    "agreement_edit",
    "agreement_review",
]


def agreement_list(request, **kwargs):
    raise Http404("Not yet")


def agreement_create(request, **kwargs):
    raise Http404("Not yet")


def agreement_export(request, **kwargs):
    raise Http404("Not yet")


def agreement(request, **kwargs):
    raise Http404("Not yet")


def agreement_edit(request, **kwargs):
    raise Http404("Not yet")


def agreement_review(request, **kwargs):
    raise Http404("Not yet")
