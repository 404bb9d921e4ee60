from django.urls import path

from membership import urls_restructure, urls_review, views

app_name = "membership"

urlpatterns = [
    path("", views.structure, name="structure"),
    path("bodies/<slug:body>/", views.body_detail, name="body"),
    path("bodies/<slug:body>/close/", views.body_close, name="body_close"),
    path("bodies/<slug:body>/seats/new/", views.seat_create, name="seat_create"),
    path("bodies/<slug:body>/seats/<int:pk>/edit/", views.seat_edit, name="seat_edit"),
    path("bodies/<slug:body>/members/new/", views.membership_create, name="membership_create"),
    path("bodies/<slug:body>/members/<int:pk>/", views.membership_detail, name="membership_detail"),
    path("bodies/<slug:body>/members/<int:pk>/end/", views.membership_end, name="membership_end"),
    path(
        "bodies/<slug:body>/members/<int:pk>/training/new/",
        views.training_create,
        name="training_create",
    ),
    path(
        "bodies/<slug:body>/members/<int:pk>/second-factor/reset/",
        views.second_factor_reset,
        name="second_factor_reset",
    ),
    path("bodies/<slug:body>/elections/", views.election_list, name="election_list"),
    path("bodies/<slug:body>/elections/new/", views.election_create, name="election_create"),
    path("bodies/<slug:body>/elections/<int:pk>/", views.election_detail, name="election_detail"),
    path(
        "bodies/<slug:body>/elections/<int:pk>/propose/",
        views.candidate_propose,
        name="candidate_propose",
    ),
    path(
        "bodies/<slug:body>/elections/<int:pk>/candidates/<int:candidate>/second/",
        views.candidate_second,
        name="candidate_second",
    ),
    path(
        "bodies/<slug:body>/elections/<int:pk>/candidates/<int:candidate>/answer/",
        views.candidate_respond,
        name="candidate_respond",
    ),
    path("bodies/<slug:body>/elections/<int:pk>/vote/", views.ballot, name="ballot"),
    path(
        "bodies/<slug:body>/elections/<int:pk>/close/", views.election_close, name="election_close"
    ),
    path(
        "bodies/<slug:body>/elections/<int:pk>/cancel/",
        views.election_cancel,
        name="election_cancel",
    ),
    path(
        "bodies/<slug:body>/elections/<int:pk>/reballot/",
        views.election_reballot,
        name="election_reballot",
    ),
    path(
        "bodies/<slug:body>/elections/<int:pk>/officers/",
        views.election_officers,
        name="election_officers",
    ),
    path(
        "bodies/<slug:body>/elections/<int:pk>/counting/",
        views.election_counting,
        name="election_counting",
    ),
    path("bodies/<slug:body>/elections/<int:pk>/void/", views.election_void, name="election_void"),
    path(
        "bodies/<slug:body>/elections/<int:pk>/rerun/", views.election_rerun, name="election_rerun"
    ),
    path(
        "bodies/<slug:body>/elections/<int:pk>/board/", views.election_board, name="election_board"
    ),
    path(
        "bodies/<slug:body>/elections/<int:pk>/board.json",
        views.election_board_json,
        name="election_board_json",
    ),
    path("agreement/", views.agreement, name="agreement"),
    path("agreement/new/", views.agreement_upload, name="agreement_upload"),
    path("agreement/signatures/", views.agreement_signatures, name="agreement_signatures"),
    path("agreement/<int:pk>/", views.agreement_version, name="agreement_version"),
    path("agreement/<int:pk>/file/", views.agreement_file, name="agreement_file"),
    path("agreement/<int:pk>/sign/", views.agreement_sign, name="agreement_sign"),
    path("agreement/<int:pk>/issue/", views.agreement_issue, name="agreement_issue"),
    path("coordinators/", views.appointment_list, name="appointment_list"),
    path("coordinators/<int:pk>/end/", views.appointment_end, name="appointment_end"),
    *urls_restructure.urlpatterns,
    *urls_review.urlpatterns,
]
