"""Work in progress: filled in by the issue 15 work."""

from django.http import Http404

__all__ = ["key_partnership_register_pdf"]


def key_partnership_register_pdf(request, **kwargs):
    raise Http404("Not yet")
