"""Reports' pages: the list, a report's page (its HTML version), editing the narrative,
submitting to the chair, approving or returning, rebuilding, and the PDF with its progress."""

from __future__ import annotations

from django.http import Http404

__all__ = [
    "exception_report_create",
    "report_detail",
    "report_edit",
    "report_list",
    "report_pdf",
    "report_rebuild",
    "report_render",
    "report_review",
    "report_submit",
]


def _todo(*args, **kwargs):
    raise Http404


report_list = report_detail = report_edit = report_submit = report_review = _todo
report_rebuild = report_pdf = report_render = exception_report_create = _todo
