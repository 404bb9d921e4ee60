"""Stubs, to be written."""

from django.http import Http404


def body_returns(request, *args, **kwargs):
    raise Http404


def return_detail(request, *args, **kwargs):
    raise Http404


def return_rating(request, *args, **kwargs):
    raise Http404


def return_sign_off(request, *args, **kwargs):
    raise Http404


def return_send_back(request, *args, **kwargs):
    raise Http404


def return_reopen(request, *args, **kwargs):
    raise Http404


def return_delegate(request, *args, **kwargs):
    raise Http404


def my_returns(request, *args, **kwargs):
    raise Http404
