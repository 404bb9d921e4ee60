"""Proposals for new sub-groups (issue 16). Included by the app's urls.py, under its namespace."""

from django.urls import path

from governance.views import proposals

urlpatterns: list = [
    path(
        "bodies/<slug:body>/proposals/",
        proposals.proposal_list,
        name="proposals",
    ),
    path(
        "bodies/<slug:body>/proposals/new/",
        proposals.proposal_create,
        name="proposal_create",
    ),
    path(
        "bodies/<slug:body>/proposals/<int:pk>/",
        proposals.proposal_detail,
        name="proposal",
    ),
    path(
        "bodies/<slug:body>/proposals/<int:pk>/withdraw/",
        proposals.proposal_withdraw,
        name="proposal_withdraw",
    ),
]
