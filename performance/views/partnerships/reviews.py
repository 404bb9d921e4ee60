"""Work in progress: filled in by the issue 15 work."""

from django.http import Http404

__all__ = [
    "key_partnership_review_create",
    "key_partnership_review",
    "key_partnership_action_done",
]


def key_partnership_review_create(request, **kwargs):
    raise Http404("Not yet")


def key_partnership_review(request, **kwargs):
    raise Http404("Not yet")


def key_partnership_action_done(request, **kwargs):
    raise Http404("Not yet")
