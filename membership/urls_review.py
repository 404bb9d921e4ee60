"""The annual membership review (issue 16). Included by the app's urls.py, under its namespace."""

from django.urls import path

from membership.views import reviews

urlpatterns: list = [
    path("bodies/<slug:body>/reviews/", reviews.review_list, name="review_list"),
    path("bodies/<slug:body>/reviews/open/", reviews.review_open_view, name="review_open"),
    path("bodies/<slug:body>/reviews/<int:pk>/", reviews.review_detail, name="review_detail"),
    path(
        "bodies/<slug:body>/reviews/<int:pk>/sheets/<int:sheet>/",
        reviews.review_sheet,
        name="review_sheet",
    ),
]
