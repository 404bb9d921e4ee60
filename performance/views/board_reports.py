"""The Partnership Board's reports: generating a six-monthly report, the annual report or a
newsletter, adding a report to a meeting, publishing, and the public's publications and feed."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.http import Http404

__all__ = [
    "PublicationFeed",
    "board_report_create",
    "publication_list",
    "report_add_to_meeting",
    "report_publish",
]


def _todo(*args, **kwargs):
    raise Http404


board_report_create = report_add_to_meeting = report_publish = publication_list = _todo


class PublicationFeed(Feed):
    def get_object(self, request, partnership):
        raise Http404
