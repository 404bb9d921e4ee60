"""Stubs, to be written."""

from django.http import Http404


def outcome_list(request, *args, **kwargs):
    raise Http404


def outcome_create(request, *args, **kwargs):
    raise Http404


def outcome_detail(request, *args, **kwargs):
    raise Http404


def outcome_edit(request, *args, **kwargs):
    raise Http404


def plan_action_create(request, *args, **kwargs):
    raise Http404


def plan_action_edit(request, *args, **kwargs):
    raise Http404


def indicator_create(request, *args, **kwargs):
    raise Http404


def indicator_edit(request, *args, **kwargs):
    raise Http404


def targets_edit(request, *args, **kwargs):
    raise Http404


def deadlines_edit(request, *args, **kwargs):
    raise Http404
